/** One call to give an engine run records, logs, metrics, traces and an audit log. */
export { type Observability, type ObserveOptions, observe } from './observe.ts';
