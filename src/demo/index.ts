export { DEMO_SCRIPT } from './demo-script.ts';
export { runDemo } from './run-demo.ts';
export { writeSampleProject } from './sample-project.ts';
