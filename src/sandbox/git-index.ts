import { readFileSync, type Stats, statSync } from 'node:fs';

/** Mode of a gitlink (a submodule's commit) in the index. */
const GITLINK = 0o160000;
/** Beyond this an index is not parsed (a repository this size is not one we protect submodules in). */
const MAX_INDEX_BYTES = 256 * 1024 * 1024;

const cache = new Map<string, { signature: string; links: string[] }>();

/**
 * The paths of the gitlinks (submodules) in a git index file, relative to its worktree: the
 * directories where the host's `git status` enters a submodule and runs git with *its* config. Read
 * from the index and not `.gitmodules`: git follows gitlinks even without a `.gitmodules` entry.
 * Index versions 2–4 (`Documentation/gitformat-index.txt`), SHA-1 or SHA-256. Cached per file
 * signature: the index is read-only to sandboxed commands, and it changes only with the host's git.
 * A missing or unreadable index has none; one that does not parse gives what was read before the
 * damage (git itself refuses such an index).
 */
export function gitlinks(indexFile: string, hashBytes: 20 | 32 = 20): string[] {
  let st: Stats | undefined;
  try {
    st = statSync(indexFile, { throwIfNoEntry: false });
  } catch {
    return []; // its directory is a file, or unreadable: no index git could use either
  }
  if (!st?.isFile() || st.size > MAX_INDEX_BYTES) return [];
  const signature = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${hashBytes}`;
  const cached = cache.get(indexFile);
  if (cached?.signature === signature) return cached.links;
  let links: string[];
  try {
    links = parseGitlinks(readFileSync(indexFile), hashBytes);
  } catch {
    links = [];
  }
  cache.set(indexFile, { signature, links });
  return links;
}

export function parseGitlinks(data: Buffer, hashBytes: 20 | 32): string[] {
  if (data.length < 12 || data.toString('latin1', 0, 4) !== 'DIRC') return [];
  const version = data.readUInt32BE(4);
  if (version < 2 || version > 4) return [];
  const count = data.readUInt32BE(8);
  const links: string[] = [];
  let offset = 12;
  let previous: Buffer = Buffer.alloc(0);
  for (let i = 0; i < count; i++) {
    const start = offset;
    // ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 each), the hash, 16-bit flags.
    const mode = data.readUInt32BE(start + 24);
    let fixed = 40 + hashBytes + 2;
    const flags = data.readUInt16BE(start + 40 + hashBytes);
    if (version >= 3 && flags & 0x4000) fixed += 2;
    let name: Buffer;
    if (version === 4) {
      // The name is the previous one less N trailing bytes, plus what follows (NUL-terminated).
      let at = start + fixed;
      let byte = data[at++]!;
      let strip = byte & 0x7f;
      while (byte & 0x80) {
        byte = data[at++]!;
        strip = ((strip + 1) << 7) | (byte & 0x7f);
      }
      const end = data.indexOf(0, at);
      if (end < 0 || strip > previous.length) break;
      name = Buffer.concat([previous.subarray(0, previous.length - strip), data.subarray(at, end)]);
      offset = end + 1;
    } else {
      const end = data.indexOf(0, start + fixed);
      if (end < 0) break;
      name = data.subarray(start + fixed, end);
      // Padded with 1–8 NULs to a multiple of eight bytes from the entry's start.
      offset = start + ((fixed + name.length + 8) & ~7);
    }
    previous = name;
    if ((mode & 0o170000) === GITLINK) links.push(name.toString('utf8'));
  }
  return links;
}
