export const READ_DESCRIPTION = `Reads a text file from the workspace.

Usage:
- file_path may be absolute or relative to the workspace root; paths outside the workspace are refused.
- By default up to 2000 lines are returned, starting at the first line. For long files, pass offset (the 1-based line number to start at) and limit (how many lines) to read the part you need.
- Lines longer than 2000 characters are cut short.
- The result is in cat -n format: each line is prefixed with its line number and a tab. The number and the tab are not part of the file: never include them in Edit's old_string.
- Binary files (images, archives, executables) are refused; directories are refused too (use LS or Glob for those).
- You can call several tools in one response; when you need several files, read them all at once.`;
