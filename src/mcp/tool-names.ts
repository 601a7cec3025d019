// The names of the server's other tools, apart from their modules (which load with the first
// `tools/list`, see TaskService): the session dispatches on them from the start. Claude Code's names.

/** Reads a background agent's result. */
export const TASK_OUTPUT_TOOL = 'TaskOutput';
/** Continues an agent with its earlier conversation. */
export const SEND_MESSAGE_TOOL = 'SendMessage';
