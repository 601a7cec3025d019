export const LS_DESCRIPTION = `Lists a directory as a tree: its files and subdirectories, recursively.

Usage:
- path is the directory to list (absolute, or relative to the workspace; "." is the workspace root).
- ignore takes glob patterns of entries to leave out, for example ["*.log", "dist"]; a pattern without a slash matches an entry's name at any depth.
- The contents of .git and node_modules are not listed, and symlinks are shown (with their target) but not followed.
- At most 1000 entries are listed, shallow ones first; list a subdirectory to see more of it.
- When you know what you are looking for, Glob and Grep are usually better.`;
