export const WRITE_DESCRIPTION = `Writes a file in the workspace, replacing it if it exists.

Usage:
- file_path may be absolute or relative to the workspace root; paths outside the workspace are refused.
- Missing parent directories are created.
- The write is atomic: the file holds either its old content or the whole new content, never a mix.
- An existing file keeps its permissions.
- To change part of an existing file, prefer Edit or MultiEdit: they send only the change. Read a file before overwriting it.
- Do not create documentation or README files unless asked to.`;
