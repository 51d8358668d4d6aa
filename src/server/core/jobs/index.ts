export { cancelJob, ensureJob, registerJobHandler, runDueJobs, scheduleJob, type Job, type JobHandler } from './jobs.service';
export { startJobWorker } from './jobs.worker';
