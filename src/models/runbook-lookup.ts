// Finding runbooks the way people name them (DESIGN §5: id, exact name in any case, or slug)
// and listing them, limited to what a company can see: global runbooks plus its own.
import { AppError, ErrorCode } from '../errors.js';
import type { RunbookDoc, RunbookStatus } from './runbook-model.js';
import { nameKey, toRunbookRecord, type RunbookRecord, type StoreContext } from './runbook-records.js';

export interface FindOptions {
  /** The company whose runbooks are visible besides the global ones. */
  company?: string | undefined;
}

export interface ListOptions extends FindOptions {
  status?: RunbookStatus | undefined;
  /** Archived runbooks are hidden unless asked for (or `status: 'archived'` is given). */
  includeArchived?: boolean | undefined;
  category?: string | undefined;
  tag?: string | undefined;
  /** Runbooks carrying any of these tags. */
  anyTags?: string[] | undefined;
  /** Matched against name and description, case-insensitively, as plain text. */
  text?: string | undefined;
  /** 1..100, default 20; values outside are clamped. */
  limit?: number | undefined;
  /** `next_cursor` of the previous page. */
  cursor?: string | undefined;
}

export interface RunbookPage {
  items: RunbookRecord[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function visibleScopeKeys(company: string | undefined): string[] {
  return company === undefined || company === '' ? ['global'] : [`company:${company}`, 'global'];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// The cursor is the sort key of the last item: (name_key, _id), so pages stay stable while
// runbooks are added or removed before it.
function encodeCursor(doc: Pick<RunbookDoc, '_id' | 'name_key'>): string {
  return Buffer.from(JSON.stringify([doc.name_key, doc._id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')) {
      return value as [string, string];
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError(ErrorCode.Validation, `invalid list cursor "${cursor}"`);
}

export type RunbookLookup = ReturnType<typeof createRunbookLookup>;

export function createRunbookLookup(ctx: StoreContext) {
  const { Runbooks } = ctx;

  async function getDoc(id: string): Promise<RunbookDoc> {
    const doc = await Runbooks.findById(id).lean<RunbookDoc>().exec();
    if (!doc) throw new AppError(ErrorCode.NotFound, `runbook ${id} not found`, { details: { runbook_id: id } });
    return doc;
  }

  async function findDoc(nameOrIdOrSlug: string, opts: FindOptions = {}): Promise<RunbookDoc> {
    const wanted = nameOrIdOrSlug.trim();
    const key = nameKey(wanted);
    const scopes = visibleScopeKeys(opts.company);
    const candidates = await Runbooks.find({
      scope_key: { $in: scopes },
      $or: [{ _id: wanted }, { name_key: key }, { slug: key }],
    })
      .lean<RunbookDoc[]>()
      .exec();
    // An id beats a name, a name beats a slug; at the same level the company's own runbook
    // beats a global one of the same name.
    const rank = (doc: RunbookDoc) =>
      (doc._id === wanted ? 0 : doc.name_key === key ? 2 : 4) + (doc.scope_key === 'global' && scopes.length > 1 ? 1 : 0);
    const best = candidates.sort((a, b) => rank(a) - rank(b))[0];
    if (best === undefined) {
      const where = opts.company ? `global or company ${opts.company}` : 'global';
      throw new AppError(ErrorCode.NotFound, `no runbook with id, name or slug "${wanted}" (looked in ${where} runbooks)`, {
        details: { query: wanted, company: opts.company ?? null },
      });
    }
    return best;
  }

  async function list(opts: ListOptions = {}): Promise<RunbookPage> {
    const limit = Math.min(Math.max(Math.trunc(opts.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
    const and: Record<string, unknown>[] = [{ scope_key: { $in: visibleScopeKeys(opts.company) } }];
    if (opts.status !== undefined) and.push({ status: opts.status });
    else if (!opts.includeArchived) and.push({ status: { $in: ['draft', 'published'] } });
    if (opts.category !== undefined) and.push({ category: opts.category });
    if (opts.tag !== undefined) and.push({ tags: opts.tag });
    if (opts.anyTags?.length) and.push({ tags: { $in: opts.anyTags } });
    const text = opts.text?.trim();
    if (text) {
      const pattern = { $regex: escapeRegex(text), $options: 'i' };
      and.push({ $or: [{ name: pattern }, { description: pattern }] });
    }
    if (opts.cursor !== undefined) {
      const [afterName, afterId] = decodeCursor(opts.cursor);
      and.push({ $or: [{ name_key: { $gt: afterName } }, { name_key: afterName, _id: { $gt: afterId } }] });
    }
    // One extra tells whether there is a next page without counting.
    const docs = await Runbooks.find({ $and: and })
      .sort({ name_key: 1, _id: 1 })
      .limit(limit + 1)
      .lean<RunbookDoc[]>()
      .exec();
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toRunbookRecord), next_cursor: docs.length > limit && last ? encodeCursor(last) : null };
  }

  return { getDoc, findDoc, list };
}
