/** One call to give an engine run records, logs, metrics, traces and an audit log. */
export { circuitsOf, type Observability, type ObserveOptions, observe } from './observe.ts';
