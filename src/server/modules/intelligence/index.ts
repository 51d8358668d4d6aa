// Request intelligence (智能): the city dictionary and search-index upkeep, history import, and the
// category/unit suggester with automatic dispatch. Other modules and the CLI import from here.
export { intelligenceRoutes } from './intelligence.routes';
export { importHistoryFile, type ImportOptions, type ImportResult } from './history-import.service';
export { reindexAll, setDictionary, getDictionary } from './dictionary.service';
export {
  classifyRequest, dispatchIfConfident, trainSuggester, loadSuggester, getIntelligenceSettings, AUTO_DISPATCH_ACTOR,
  type AutoDispatchOutcome, type ClassifyInput, type TrainOutcome,
} from './suggester.service';
export { crossValidate, readLabeledJsonl, type EvalResult } from './suggester.eval';
export { generateHistory, toJsonl, HISTORY_TEMPLATES } from './history-fixtures';
import './intelligence.jobs';
import './history-import.job';
