export const TODO_WRITE_DESCRIPTION = `Creates and updates the task list for your current work.

Use it for work with three or more distinct steps, or when you are given several things to do: it keeps you on track and shows progress to the people following the task. Skip it for a single, simple step.

Usage:
- Send the whole list every time: it replaces the previous one.
- Each item has content (what to do, in the imperative: "Run the tests"), status ("pending", "in_progress" or "completed") and activeForm (the same in the present continuous: "Running the tests").
- Keep exactly one item in_progress while you work. Mark an item completed as soon as it is done, not in batches at the end, and only when it is really done: if tests fail or the work is partial, keep it in_progress and add an item for what blocks it.
- Remove items that are no longer relevant.`;
