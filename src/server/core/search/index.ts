// Chinese text for every module: segmentation with the city's dictionary, keywords, TF-IDF vectors and
// the request full-text index on both dialects.
export { normalizeText, tokenPieces, hanBigrams, isContentWord, STOP_WORDS } from './text';
export { Segmenter, segmenterFor, normalizeUserWords, type UserWord, type SearchQuery, type Keyword } from './segmenter';
export {
  getSegmenter, loadCityWords, readAdminWords, writeAdminWords, unitNameWords, MAX_ADMIN_WORDS, DICTIONARY_VERSION_KEY, DICTIONARY_WORDS_KEY,
} from './dictionary';
export {
  indexRequest, searchIndexHook, bulkSegmenter, reindexRequests, readSearchDocuments, writeSearchDocuments, toSearchDocument, matchRequests,
  type IndexTarget, type RequestText, type SearchDocument, type SearchMatch,
} from './request-index';
export { segmentationThreads } from './segment-pool';
export { countTerms, documentFrequencies, idfOf, tfidfVector, cosine, topTerms, type DocumentFrequencies, type TermVector } from './tfidf';
