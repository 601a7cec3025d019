import type { RecordStatus, RunStore, SearchFilter, TaskPage } from '../store/index.ts';
import type { LiveTasks } from './live-tasks.ts';
import { summaryOfRecord, type TaskSummary } from './task-summary.ts';

export interface SummaryPage {
  tasks: TaskSummary[];
  nextCursor?: string;
}

/**
 * Tasks as the page reads them: the run store's records (every task, this process's and others'),
 * with this engine's live state laid over them — fresher than the last write, and the only source
 * when there is no store.
 */
export class TaskSource {
  readonly #store: RunStore | undefined;
  readonly #live: LiveTasks;

  constructor(live: LiveTasks, store: RunStore | undefined) {
    this.#live = live;
    this.#store = store;
  }

  get(id: string): TaskSummary | undefined {
    const live = this.#live.get(id);
    if (live) return live;
    const record = this.#store?.get(id);
    return record && summaryOfRecord(record);
  }

  page(filter: SearchFilter): SummaryPage {
    if (!this.#store) return pageInMemory(this.#live.list(), filter);
    const page: TaskPage = this.#store.search(filter);
    return {
      tasks: page.records.map((r) => this.#live.get(r.id) ?? summaryOfRecord(r)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  /** The tasks a task started, oldest first. */
  children(id: string): TaskSummary[] {
    const recorded = this.#store?.children(id).map(summaryOfRecord) ?? [];
    const live = this.#live.list().filter((t) => t.parentId === id);
    return merge(recorded, live);
  }

  /** The tasks a client conversation (Codex's thread) started, oldest first. */
  thread(threadId: string): TaskSummary[] {
    // list() is newest first.
    const recorded =
      this.#store
        ?.list({ callerThreadId: threadId, rootsOnly: true, limit: 500 })
        .reverse()
        .map(summaryOfRecord) ?? [];
    const live = this.#live.list().filter((t) => t.callerThreadId === threadId && !t.parentId);
    return merge(recorded, live);
  }
}

/**
 * Recorded tasks (oldest first, in the order they were written: siblings started in the same
 * millisecond keep their order) with the live state laid over them; live ones not yet read from
 * the store come last, oldest first (`live` is newest first).
 */
function merge(recorded: TaskSummary[], live: TaskSummary[]): TaskSummary[] {
  const byId = new Map(recorded.map((t) => [t.id, t]));
  for (const t of live.toReversed()) byId.set(t.id, t);
  return [...byId.values()];
}

/** The store's search, over the tasks in memory (a server without a run store). */
export function pageInMemory(tasks: TaskSummary[], filter: SearchFilter): SummaryPage {
  const text = filter.text?.toLowerCase();
  const statuses: readonly RecordStatus[] | undefined = filter.status?.length ? filter.status : undefined;
  const [cursorAt, cursorId] = filter.cursor?.split(/:(.*)/s) ?? [];
  const matching = tasks
    .filter(
      (t) =>
        (!statuses || statuses.includes(t.status)) &&
        (!filter.agent || t.agentType.toLowerCase() === filter.agent.toLowerCase()) &&
        (!filter.model || t.model === filter.model) &&
        (!filter.parentId || t.parentId === filter.parentId) &&
        (filter.since === undefined || t.queuedAt >= filter.since) &&
        (filter.until === undefined || t.queuedAt < filter.until) &&
        (!text ||
          [t.id, t.description, t.error?.message ?? ''].some((field) =>
            field.toLowerCase().includes(text),
          )) &&
        (cursorAt === undefined ||
          t.queuedAt < Number(cursorAt) ||
          (t.queuedAt === Number(cursorAt) && t.id < (cursorId ?? ''))),
    )
    .sort((a, b) => b.queuedAt - a.queuedAt || (a.id < b.id ? 1 : -1));
  const tasksOfPage = matching.slice(0, filter.limit);
  const last = tasksOfPage.at(-1);
  return matching.length > filter.limit && last
    ? { tasks: tasksOfPage, nextCursor: `${last.queuedAt}:${last.id}` }
    : { tasks: tasksOfPage };
}
