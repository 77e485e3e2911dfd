export {
  addRequestHooks,
  UNMATCHED_ROUTE,
  type FinishedRequest,
  type RequestHooks,
} from './request-hooks.js';
