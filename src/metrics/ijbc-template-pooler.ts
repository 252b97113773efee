// eval_ijbc.py's image2template_feature in one streaming pass: image features arrive in file
// order, a block at a time, and each template is finished (its media means summed in ascending
// media order, float32 as the reference) as soon as its last image has arrived. Only the media
// of unfinished templates are held (one float32 row each), so the whole feature matrix never is:
// with the release's file order (images grouped by template) that is a few rows; with images in
// random order, one row per (template, media) pair at worst.
// Same float32 operations in the same order as the in-memory reference: identical results.
const f32 = Math.fround;
const SLOTS_PER_CHUNK = 1024;

export interface TemplateSums {
  /** Template ids, ascending (np.unique). */
  templateIds: Int32Array;
  /** Row i: sum over the media of templateIds[i] of the media's mean image feature (float32 values). */
  features: Float64Array;
  dim: number;
}

export class TemplatePooler {
  readonly templateIds: Int32Array;
  private readonly groupOfRow: Int32Array;
  /** Groups (template, media) ordered by template, then media: template t owns [groupStart[t], groupStart[t+1]). */
  private readonly groupStart: Int32Array;
  private readonly groupSize: Int32Array;
  private readonly templateOfGroup: Int32Array;
  private readonly remaining: Int32Array;
  private readonly slotOfGroup: Int32Array;
  private readonly chunks: Float32Array[] = [];
  private readonly freeSlots: number[] = [];
  private slotsMade = 0;
  private rowsSeen = 0;
  private readonly sums: Float64Array;
  private readonly acc: Float32Array;
  /** Most media rows held at once (for the bench and the run's details). */
  peakHeldRows = 0;
  private held = 0;

  constructor(templates: Int32Array, medias: Int32Array, readonly dim: number) {
    if (!Number.isInteger(dim) || dim <= 0) throw new Error(`TemplatePooler: dim must be a positive integer, got ${dim}`);
    const rows = templates.length;
    if (medias.length !== rows) throw new Error(`TemplatePooler: ${rows} template ids but ${medias.length} media ids`);
    // Rows sorted by (template, media); ties keep file order.
    const order = new Int32Array(rows);
    for (let i = 0; i < rows; i++) order[i] = i;
    order.sort((a, b) => templates[a]! - templates[b]! || medias[a]! - medias[b]! || a - b);
    const templateIds: number[] = [];
    const groupStart: number[] = [];
    const groupSize: number[] = [];
    const templateOfGroup: number[] = [];
    this.groupOfRow = new Int32Array(rows);
    for (let k = 0; k < rows; k++) {
      const r = order[k]!;
      const prev = k > 0 ? order[k - 1]! : -1;
      const newTemplate = prev < 0 || templates[prev] !== templates[r];
      if (newTemplate) {
        templateIds.push(templates[r]!);
        groupStart.push(groupSize.length);
      }
      if (newTemplate || medias[prev] !== medias[r]) {
        groupSize.push(0);
        templateOfGroup.push(templateIds.length - 1);
      }
      const g = groupSize.length - 1;
      groupSize[g]!++;
      this.groupOfRow[r] = g;
    }
    groupStart.push(groupSize.length);
    this.templateIds = Int32Array.from(templateIds);
    this.groupStart = Int32Array.from(groupStart);
    this.groupSize = Int32Array.from(groupSize);
    this.templateOfGroup = Int32Array.from(templateOfGroup);
    this.remaining = new Int32Array(templateIds.length);
    for (let r = 0; r < rows; r++) this.remaining[this.templateOfGroup[this.groupOfRow[r]!]!]!++;
    this.slotOfGroup = new Int32Array(groupSize.length).fill(-1);
    this.sums = new Float64Array(templateIds.length * dim);
    this.acc = new Float32Array(dim);
  }

  get rows(): number {
    return this.groupOfRow.length;
  }

  /** The next rows' features (rows x dim, float32 values), in file order. */
  addRows(features: Float32Array): void {
    const { dim } = this;
    const n = features.length / dim;
    if (!Number.isInteger(n)) throw new Error(`TemplatePooler: ${features.length} values is not a multiple of dim ${dim}`);
    if (this.rowsSeen + n > this.rows) throw new Error(`TemplatePooler: ${this.rowsSeen + n} rows given, the meta lists ${this.rows}`);
    for (let i = 0; i < n; i++) {
      const g = this.groupOfRow[this.rowsSeen + i]!;
      let slot = this.slotOfGroup[g]!;
      if (slot < 0) slot = this.slotOfGroup[g] = this.takeSlot();
      const chunk = this.chunks[Math.floor(slot / SLOTS_PER_CHUNK)]!;
      const o = (slot % SLOTS_PER_CHUNK) * dim;
      const p = i * dim;
      for (let j = 0; j < dim; j++) chunk[o + j] = f32(chunk[o + j]! + features[p + j]!);
      const t = this.templateOfGroup[g]!;
      if (--this.remaining[t]! === 0) this.finishTemplate(t);
    }
    this.rowsSeen += n;
  }

  /** The template sums, once every row has been added. */
  result(): TemplateSums {
    if (this.rowsSeen !== this.rows) throw new Error(`TemplatePooler: ${this.rowsSeen} of ${this.rows} rows were added`);
    return { templateIds: this.templateIds, features: this.sums, dim: this.dim };
  }

  private takeSlot(): number {
    this.held++;
    if (this.held > this.peakHeldRows) this.peakHeldRows = this.held;
    const reused = this.freeSlots.pop();
    if (reused !== undefined) {
      const chunk = this.chunks[Math.floor(reused / SLOTS_PER_CHUNK)]!;
      const o = (reused % SLOTS_PER_CHUNK) * this.dim;
      chunk.fill(0, o, o + this.dim);
      return reused;
    }
    if (this.slotsMade % SLOTS_PER_CHUNK === 0) this.chunks.push(new Float32Array(SLOTS_PER_CHUNK * this.dim));
    return this.slotsMade++;
  }

  private finishTemplate(t: number): void {
    const { dim, acc } = this;
    acc.fill(0);
    for (let g = this.groupStart[t]!; g < this.groupStart[t + 1]!; g++) {
      const slot = this.slotOfGroup[g]!;
      const chunk = this.chunks[Math.floor(slot / SLOTS_PER_CHUNK)]!;
      const o = (slot % SLOTS_PER_CHUNK) * dim;
      const count = this.groupSize[g]!;
      for (let j = 0; j < dim; j++) {
        const media = count > 1 ? f32(chunk[o + j]! / count) : chunk[o + j]!;
        acc[j] = f32(acc[j]! + media);
      }
      this.freeSlots.push(slot);
      this.held--;
      this.slotOfGroup[g] = -1;
    }
    this.sums.set(acc, t * dim);
  }
}
