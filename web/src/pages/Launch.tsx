// Launch forms: transfer, evaluation and training (the mutations this server offers).
// Validation is the API's: BAD_USER_INPUT errors land beside the field they name.
import { useState, type FormEvent, type ReactNode } from "react";
import { useCapabilities } from "../capabilities";
import { Field, FormErrorList } from "../components/Field";
import { CancelButton, LiveProgress } from "../components/LiveProgress";
import { ProgressBar } from "../components/ProgressBar";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { formErrors, request, type FormErrors } from "../graphql";
import { shortId } from "../format";
import { useDebounced, useDocumentTitle, useQuery, useReconnect, useSubscription } from "../hooks";
import { Link } from "../router";
import { runTitle } from "./Runs";
import { graphql } from "../generated/graphql";
import type { IjbAlignment, LaunchCatalogueQuery } from "../generated/graphql/graphql";

const CATALOGUE = graphql(`query LaunchCatalogue {
  datasets { id name kind uri imageCount }
  transferMethods { id name modelPath defaultOptions }
  faceModels { id name backbone head trainedOn { name } }
  benchmarks { name protocol dataUri }
}`);
const TRAINERS = graphql(`query LaunchTrainers { trainers { id name backbone head } }`);
const LAUNCH_TRANSFER = graphql(`mutation LaunchTransfer($datasetId: ID!, $methodId: ID!, $options: LaunchTransferOptions) {
  launchTransfer(datasetId: $datasetId, methodId: $methodId, options: $options) { id }
}`);
const LAUNCH_EVALUATION = graphql(`mutation LaunchEvaluation($input: LaunchEvaluationInput!) { launchEvaluation(input: $input) { id } }`);
const LAUNCH_TRAINING = graphql(`mutation LaunchTraining($datasetId: ID!, $trainerId: ID!, $seed: Int, $params: JSON, $group: String, $maxAttempts: Int) {
  launchTraining(datasetId: $datasetId, trainerId: $trainerId, seed: $seed, params: $params, group: $group, maxAttempts: $maxAttempts) { id }
}`);
const LAUNCH_PIPELINE = graphql(`mutation LaunchPipeline($input: LaunchPipelineInput!) { launchPipeline(input: $input) { id } }`);
const PIPELINE = graphql(`query LaunchedPipeline($id: ID!) {
  pipeline(id: $id) { id name status baseline group error progress { done total fraction } runs { id kind status name } }
}`);
const PIPELINE_UPDATED = graphql(`subscription PipelineUpdated($id: ID!) { pipelineUpdated(id: $id) { pipeline { id status } } }`);
const RUN = graphql(`query LaunchedRun($id: ID!) { run(id: $id) { ...RunSummary } }`);
const UPDATED = graphql(`subscription LaunchedUpdated($id: ID!) { runUpdated(filter: { runId: $id }) { id status } }`);

type Catalogue = LaunchCatalogueQuery;

// Keyed by the schema's enum: a new IjbAlignment fails the type-check until it has a label.
const ALIGNMENT_LABEL: Record<IjbAlignment, string> = { AUTO: "AUTO", LANDMARKS: "LANDMARKS (5-point, as eval_ijbc.py)", PREALIGNED: "PREALIGNED" };

const EMPTY_ERRORS: FormErrors = { fields: {}, form: [] };

/** A form value: "" means "leave it out" (the API's default applies). */
function int(value: string): number | undefined {
  return value.trim() === "" ? undefined : Number(value);
}
function float(value: string): number | undefined {
  return value.trim() === "" ? undefined : Number(value);
}
function text(value: string): string | undefined {
  return value.trim() === "" ? undefined : value.trim();
}
/** JSON typed into a textarea; a parse error is reported on the field, like the API's. */
function json(field: string, value: string): unknown {
  if (value.trim() === "") return undefined;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw Object.assign(new Error(`${field}: not valid JSON (${(error as Error).message})`), { field });
  }
}
/** `object` without its undefined values: those keys become optional, the others stay required. */
type Cleaned<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };
function clean<T extends Record<string, unknown>>(object: T): Cleaned<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Cleaned<T>;
}

function useSubmit(fields: readonly string[], onLaunched: (ids: string[]) => void) {
  const [errors, setErrors] = useState<FormErrors>(EMPTY_ERRORS);
  const [busy, setBusy] = useState(false);
  const submit = async (action: () => Promise<string[]>) => {
    setBusy(true);
    setErrors(EMPTY_ERRORS);
    try {
      onLaunched(await action());
    } catch (error) {
      const field = (error as { field?: string }).field;
      setErrors(field ? { fields: { [field]: (error as Error).message }, form: [] } : formErrors(error, fields));
    } finally {
      setBusy(false);
    }
  };
  return { errors, busy, submit };
}

function NumberInput(props: { id: string; value: string; onChange: (v: string) => void; step?: string; min?: number; max?: number; placeholder?: string; "aria-invalid"?: boolean; "aria-describedby"?: string }) {
  const { value, onChange, step = "1", ...rest } = props;
  return <input type="number" inputMode={step === "1" ? "numeric" : "decimal"} step={step} value={value} onChange={(e) => onChange(e.target.value)} {...rest} />;
}

function FormCard({ title, id, children, onSubmit, busy, errors, submitLabel }: { title: string; id: string; children: ReactNode; onSubmit: () => void; busy: boolean; errors: FormErrors; submitLabel: string }) {
  const handle = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <section className="card launch-card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <form onSubmit={handle} noValidate aria-describedby={errors.form.length ? `${id}-errors` : undefined}>
        {children}
        <div id={`${id}-errors`}><FormErrorList errors={errors.form} /></div>
        {errors.form.some((m) => /^(UNAUTHENTICATED|FORBIDDEN)/.test(m)) && (
          <p className="small">Set an API token with the LAUNCH scope under “API token” at the top of the page.</p>
        )}
        <button type="submit" className="primary" disabled={busy}>{busy ? "Launching…" : submitLabel}</button>
      </form>
    </section>
  );
}

const TRANSFER_FIELDS = ["datasetId", "methodId", "options.batchSize", "options.limit", "options.outputName", "options.fidelityWeight", "options.steps", "options.seed", "options.group", "options.maxFailureShare", "options.maxAttempts", "options.methodOptions", "options"] as const;

function TransferForm({ catalogue, onLaunched }: { catalogue: Catalogue; onLaunched: (ids: string[]) => void }) {
  const [v, setV] = useState({ datasetId: "", methodId: "", batchSize: "", limit: "", outputName: "", fidelityWeight: "", steps: "", seed: "", group: "", maxFailureShare: "", maxAttempts: "", methodOptions: "" });
  const set = (key: keyof typeof v) => (value: string) => setV((s) => ({ ...s, [key]: value }));
  const { errors, busy, submit } = useSubmit(TRANSFER_FIELDS, onLaunched);
  const e = errors.fields;
  const method = catalogue.transferMethods.find((m) => m.id === v.methodId);
  const launch = () => submit(async () => {
    const options = clean({
      batchSize: int(v.batchSize), limit: int(v.limit), outputName: text(v.outputName), fidelityWeight: float(v.fidelityWeight),
      steps: int(v.steps), seed: int(v.seed), group: text(v.group), maxFailureShare: float(v.maxFailureShare), maxAttempts: int(v.maxAttempts),
      methodOptions: json("options.methodOptions", v.methodOptions),
    });
    const data = await request(LAUNCH_TRANSFER, { datasetId: v.datasetId, methodId: v.methodId, options });
    return [data.launchTransfer.id];
  });
  return (
    <FormCard title="Realism transfer" id="launch-transfer" onSubmit={launch} busy={busy} errors={errors} submitLabel="Launch transfer">
      <div className="form-grid">
        <Field label="Source dataset" error={e.datasetId}>
          {(p) => (
            <select {...p} name="datasetId" value={v.datasetId} onChange={(ev) => set("datasetId")(ev.target.value)}>
              <option value="">Choose a dataset</option>
              {catalogue.datasets.map((d) => <option key={d.id} value={d.id}>{d.name}{d.uri ? "" : " (no folder)"}</option>)}
            </select>
          )}
        </Field>
        <Field label="Transfer method" error={e.methodId} hint={method && Object.keys(method.defaultOptions ?? {}).length ? `defaults: ${JSON.stringify(method.defaultOptions)}` : undefined}>
          {(p) => (
            <select {...p} name="methodId" value={v.methodId} onChange={(ev) => set("methodId")(ev.target.value)}>
              <option value="">Choose a method</option>
              {catalogue.transferMethods.map((m) => <option key={m.id} value={m.id}>{m.name}{m.modelPath ? "" : " (no model registered)"}</option>)}
            </select>
          )}
        </Field>
        <Field label="Output dataset name" error={e["options.outputName"] ?? e.options} hint="default: <dataset>-<method>">
          {(p) => <input {...p} name="outputName" value={v.outputName} onChange={(ev) => set("outputName")(ev.target.value)} />}
        </Field>
        <Field label="Batch size" error={e["options.batchSize"]} hint="default 8">
          {(p) => <NumberInput {...p} value={v.batchSize} onChange={set("batchSize")} />}
        </Field>
        <Field label="Limit (first N images)" error={e["options.limit"]}>
          {(p) => <NumberInput {...p} value={v.limit} onChange={set("limit")} />}
        </Field>
        <Field label="Fidelity weight w (CodeFormer)" error={e["options.fidelityWeight"]} hint="0..1">
          {(p) => <NumberInput {...p} value={v.fidelityWeight} onChange={set("fidelityWeight")} step="any" />}
        </Field>
        <Field label="Steps (UNSB)" error={e["options.steps"]}>
          {(p) => <NumberInput {...p} value={v.steps} onChange={set("steps")} />}
        </Field>
        <Field label="Seed" error={e["options.seed"]} hint="default 0">
          {(p) => <NumberInput {...p} value={v.seed} onChange={set("seed")} />}
        </Field>
        <Field label="Group" error={e["options.group"]}>
          {(p) => <input {...p} value={v.group} onChange={(ev) => set("group")(ev.target.value)} />}
        </Field>
        <Field label="Max failure share" error={e["options.maxFailureShare"]} hint="default 0.01">
          {(p) => <NumberInput {...p} value={v.maxFailureShare} onChange={set("maxFailureShare")} step="any" />}
        </Field>
        <Field label="Max attempts" error={e["options.maxAttempts"]} hint="default 1">
          {(p) => <NumberInput {...p} value={v.maxAttempts} onChange={set("maxAttempts")} />}
        </Field>
        <Field label="Other method options (JSON)" error={e["options.methodOptions"]} hint='e.g. {"fidelityWeight": 0.7}'>
          {(p) => <textarea {...p} rows={2} value={v.methodOptions} onChange={(ev) => set("methodOptions")(ev.target.value)} />}
        </Field>
      </div>
    </FormCard>
  );
}

function BenchmarkPicker({ catalogue, selected, setSelected, paths, setPaths, errors, idPrefix }: {
  catalogue: Catalogue; selected: string[]; setSelected: (v: string[]) => void; paths: Record<string, string>; setPaths: (v: Record<string, string>) => void;
  errors: Record<string, string>; idPrefix: string;
}) {
  const toggle = (value: string, on: boolean) => setSelected(on ? [...selected, value] : selected.filter((x) => x !== value));
  return (
    <>
      <fieldset className={`checks${errors.benchmarks ? " field-invalid" : ""}`} aria-describedby={errors.benchmarks ? `${idPrefix}-benchmarks-error` : undefined}>
        <legend>Benchmarks</legend>
        {catalogue.benchmarks.map((b) => (
          <label key={b.name}>
            <input type="checkbox" checked={selected.includes(b.name)} onChange={(ev) => toggle(b.name, ev.target.checked)} />
            {b.name}{!b.dataUri && <span className="muted small">&nbsp;(needs a data path)</span>}
          </label>
        ))}
        {errors.benchmarks && <small id={`${idPrefix}-benchmarks-error`} className="field-error" role="alert">{errors.benchmarks}</small>}
      </fieldset>
      {selected.length > 0 && (
        <div className="form-grid">
          {selected.map((name, i) => (
            <Field key={name} label={`${name} data path`} error={errors[`benchmarks[${i}].dataPath`] ?? errors[`benchmarks[${i}]`]} hint={catalogue.benchmarks.find((b) => b.name === name)?.dataUri ?? ".bin file (pairs) or IJB-C folder"}>
              {(p) => <input {...p} value={paths[name] ?? ""} onChange={(ev) => setPaths({ ...paths, [name]: ev.target.value })} />}
            </Field>
          ))}
        </div>
      )}
    </>
  );
}

const benchmarkFields = (selected: string[]) => ["benchmarks", ...selected.flatMap((_, i) => [`benchmarks[${i}].dataPath`, `benchmarks[${i}]`])];
const benchmarkInput = (selected: string[], paths: Record<string, string>) => selected.map((name) => clean({ name, dataPath: text(paths[name] ?? "") }));

function EvaluationForm({ catalogue, onLaunched }: { catalogue: Catalogue; onLaunched: (ids: string[]) => void }) {
  const [models, setModels] = useState<string[]>([]);
  const [benchmarks, setBenchmarks] = useState<string[]>([]);
  const [paths, setPaths] = useState<Record<string, string>>({});
  const [v, setV] = useState({ batchSize: "", seed: "", group: "", maxAttempts: "", allowNonStandardSize: false, useDetectorScore: true, alignment: "AUTO" as IjbAlignment });
  const fields = ["faceModelIds", ...benchmarkFields(benchmarks), "options.batchSize", "options.seed", "options.group", "options.maxAttempts", "options.allowNonStandardSize", "options.useDetectorScore", "options.alignment", "input"];
  const { errors, busy, submit } = useSubmit(fields, onLaunched);
  const e = errors.fields;
  const launch = () => submit(async () => {
    const input = {
      faceModelIds: models,
      benchmarks: benchmarkInput(benchmarks, paths),
      options: clean({
        batchSize: int(v.batchSize), seed: int(v.seed), group: text(v.group), maxAttempts: int(v.maxAttempts),
        allowNonStandardSize: v.allowNonStandardSize || undefined, useDetectorScore: v.useDetectorScore ? undefined : false,
        alignment: v.alignment === "AUTO" ? undefined : v.alignment,
      }),
    };
    const data = await request(LAUNCH_EVALUATION, { input });
    return data.launchEvaluation.map((r) => r.id);
  });
  const toggle = (list: string[], value: string, on: boolean) => (on ? [...list, value] : list.filter((x) => x !== value));
  return (
    <FormCard title="Evaluation" id="launch-evaluation" onSubmit={launch} busy={busy} errors={errors} submitLabel="Launch evaluation">
      <fieldset className={`checks${e.faceModelIds ? " field-invalid" : ""}`} aria-describedby={e.faceModelIds ? "eval-models-error" : undefined}>
        <legend>Face models (one EVALUATE run each)</legend>
        {catalogue.faceModels.length === 0 && <p className="muted small">No face models registered yet: train one, or register an ONNX model with registerFaceModel.</p>}
        {catalogue.faceModels.map((m) => (
          <label key={m.id}>
            <input type="checkbox" checked={models.includes(m.id)} onChange={(ev) => setModels(toggle(models, m.id, ev.target.checked))} />
            {m.name} <span className="muted small">({m.backbone}+{m.head}{m.trainedOn ? `, on ${m.trainedOn.name}` : ""})</span>
          </label>
        ))}
        {e.faceModelIds && <small id="eval-models-error" className="field-error" role="alert">{e.faceModelIds}</small>}
      </fieldset>
      <BenchmarkPicker catalogue={catalogue} selected={benchmarks} setSelected={setBenchmarks} paths={paths} setPaths={setPaths} errors={e} idPrefix="eval" />
      <div className="form-grid">
        <Field label="Batch size" error={e["options.batchSize"]} hint="default 64">
          {(p) => <NumberInput {...p} value={v.batchSize} onChange={(x) => setV({ ...v, batchSize: x })} />}
        </Field>
        <Field label="Seed" error={e["options.seed"]}>
          {(p) => <NumberInput {...p} value={v.seed} onChange={(x) => setV({ ...v, seed: x })} />}
        </Field>
        <Field label="Group" error={e["options.group"]}>
          {(p) => <input {...p} value={v.group} onChange={(ev) => setV({ ...v, group: ev.target.value })} />}
        </Field>
        <Field label="Max attempts" error={e["options.maxAttempts"]}>
          {(p) => <NumberInput {...p} value={v.maxAttempts} onChange={(x) => setV({ ...v, maxAttempts: x })} />}
        </Field>
        <Field label="IJB alignment" error={e["options.alignment"]} hint="AUTO: images/ as pre-aligned, else loose_crop/ from the 5 landmarks">
          {(p) => (
            <select {...p} name="alignment" value={v.alignment} onChange={(ev) => setV({ ...v, alignment: ev.target.value as IjbAlignment })}>
              {Object.entries(ALIGNMENT_LABEL).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          )}
        </Field>
      </div>
      <div className="checks">
        <label><input type="checkbox" checked={v.allowNonStandardSize} onChange={(ev) => setV({ ...v, allowNonStandardSize: ev.target.checked })} /> Allow non-standard benchmark sizes</label>
        <label><input type="checkbox" checked={v.useDetectorScore} onChange={(ev) => setV({ ...v, useDetectorScore: ev.target.checked })} /> IJB-C: weight by detector score</label>
      </div>
    </FormCard>
  );
}

function TrainingForm({ catalogue, onLaunched }: { catalogue: Catalogue; onLaunched: (ids: string[]) => void }) {
  const trainers = useQuery(TRAINERS);
  const [v, setV] = useState({ datasetId: "", trainerId: "", seed: "", group: "", params: "", maxAttempts: "" });
  const { errors, busy, submit } = useSubmit(["datasetId", "trainerId", "seed", "group", "params", "maxAttempts"], onLaunched);
  const e = errors.fields;
  const launch = () => submit(async () => {
    const data = await request(LAUNCH_TRAINING, clean({
      datasetId: v.datasetId, trainerId: v.trainerId, seed: int(v.seed), group: text(v.group), params: json("params", v.params), maxAttempts: int(v.maxAttempts),
    }));
    return [data.launchTraining.id];
  });
  return (
    <FormCard title="Training" id="launch-training" onSubmit={launch} busy={busy} errors={errors} submitLabel="Launch training">
      {trainers.error && <ErrorMessage error={trainers.error} title="Trainers could not be loaded" />}
      <div className="form-grid">
        <Field label="Training dataset" error={e.datasetId}>
          {(p) => (
            <select {...p} value={v.datasetId} onChange={(ev) => setV({ ...v, datasetId: ev.target.value })}>
              <option value="">Choose a dataset</option>
              {catalogue.datasets.map((d) => <option key={d.id} value={d.id}>{d.name}{d.uri ? "" : " (no folder)"}</option>)}
            </select>
          )}
        </Field>
        <Field label="Trainer" error={e.trainerId} hint={trainers.data?.trainers.length === 0 ? "No trainers registered (registerTrainer)" : undefined}>
          {(p) => (
            <select {...p} value={v.trainerId} onChange={(ev) => setV({ ...v, trainerId: ev.target.value })}>
              <option value="">{trainers.loading ? "Loading…" : "Choose a trainer"}</option>
              {trainers.data?.trainers.map((t) => <option key={t.id} value={t.id}>{t.name} ({t.backbone}+{t.head})</option>)}
            </select>
          )}
        </Field>
        <Field label="Seed" error={e.seed}>
          {(p) => <NumberInput {...p} value={v.seed} onChange={(x) => setV({ ...v, seed: x })} />}
        </Field>
        <Field label="Group" error={e.group}>
          {(p) => <input {...p} value={v.group} onChange={(ev) => setV({ ...v, group: ev.target.value })} />}
        </Field>
        <Field label="Max attempts" error={e.maxAttempts}>
          {(p) => <NumberInput {...p} value={v.maxAttempts} onChange={(x) => setV({ ...v, maxAttempts: x })} />}
        </Field>
        <Field label="Params (JSON)" error={e.params} hint='e.g. {"epochs": 2}'>
          {(p) => <textarea {...p} rows={2} value={v.params} onChange={(ev) => setV({ ...v, params: ev.target.value })} />}
        </Field>
      </div>
    </FormCard>
  );
}

function PipelineForm({ catalogue, onLaunched }: { catalogue: Catalogue; onLaunched: (ids: string[]) => void }) {
  const trainers = useQuery(TRAINERS);
  const [v, setV] = useState({ sourceDatasetId: "", methodId: "", trainerId: "", repeats: "3", seeds: "", trainParams: "", outputName: "", limit: "", batchSize: "", includeBaseline: true, allowNonStandardSize: false });
  const [benchmarks, setBenchmarks] = useState<string[]>([]);
  const [paths, setPaths] = useState<Record<string, string>>({});
  const fields = ["sourceDatasetId", "methodId", "trainerId", "repeats", "seeds", "trainParams", ...benchmarkFields(benchmarks),
    "transferOptions.outputName", "transferOptions.limit", "transferOptions.batchSize", "transferOptions", "evaluationOptions", "includeBaseline", "input"];
  const { errors, busy, submit } = useSubmit(fields, onLaunched);
  const e = errors.fields;
  const launch = () => submit(async () => {
    const seeds = v.seeds.trim() ? v.seeds.split(/[\s,]+/).filter(Boolean).map(Number) : undefined;
    const input = clean({
      sourceDatasetId: v.sourceDatasetId, methodId: text(v.methodId), trainerId: v.trainerId, repeats: int(v.repeats) ?? 0, seeds, // 0: the API names the field
      trainParams: json("trainParams", v.trainParams), benchmarks: benchmarkInput(benchmarks, paths), includeBaseline: v.includeBaseline,
      transferOptions: v.methodId ? clean({ outputName: text(v.outputName), limit: int(v.limit), batchSize: int(v.batchSize) }) : undefined,
      evaluationOptions: v.allowNonStandardSize ? { allowNonStandardSize: true } : undefined,
    });
    const data = await request(LAUNCH_PIPELINE, { input });
    return data.launchPipeline.map((p) => `pipeline:${p.id}`);
  });
  return (
    <FormCard title="Full pipeline: transfer → train × repeats → evaluate" id="launch-pipeline" onSubmit={launch} busy={busy} errors={errors} submitLabel="Launch pipeline">
      <div className="form-grid">
        <Field label="Source dataset" error={e.sourceDatasetId}>
          {(p) => (
            <select {...p} value={v.sourceDatasetId} onChange={(ev) => setV({ ...v, sourceDatasetId: ev.target.value })}>
              <option value="">Choose a dataset</option>
              {catalogue.datasets.map((d) => <option key={d.id} value={d.id}>{d.name}{d.uri ? "" : " (no folder)"}</option>)}
            </select>
          )}
        </Field>
        <Field label="Transfer method" error={e.methodId} hint="none: the baseline alone">
          {(p) => (
            <select {...p} value={v.methodId} onChange={(ev) => setV({ ...v, methodId: ev.target.value })}>
              <option value="">No transfer</option>
              {catalogue.transferMethods.map((m) => <option key={m.id} value={m.id}>{m.name}{m.modelPath ? "" : " (no model registered)"}</option>)}
            </select>
          )}
        </Field>
        <Field label="Trainer" error={e.trainerId} hint={trainers.data?.trainers.length === 0 ? "No trainers registered (registerTrainer)" : undefined}>
          {(p) => (
            <select {...p} value={v.trainerId} onChange={(ev) => setV({ ...v, trainerId: ev.target.value })}>
              <option value="">{trainers.loading ? "Loading…" : "Choose a trainer"}</option>
              {trainers.data?.trainers.map((t) => <option key={t.id} value={t.id}>{t.name} ({t.backbone}+{t.head})</option>)}
            </select>
          )}
        </Field>
        <Field label="Repeats (trainings, one seed each)" error={e.repeats}>
          {(p) => <NumberInput {...p} value={v.repeats} onChange={(x) => setV({ ...v, repeats: x })} min={1} />}
        </Field>
        <Field label="Seeds" error={e.seeds} hint="comma-separated; default 0, 1, …">
          {(p) => <input {...p} value={v.seeds} onChange={(ev) => setV({ ...v, seeds: ev.target.value })} />}
        </Field>
        <Field label="Train params (JSON)" error={e.trainParams}>
          {(p) => <textarea {...p} rows={2} value={v.trainParams} onChange={(ev) => setV({ ...v, trainParams: ev.target.value })} />}
        </Field>
        {v.methodId && (
          <>
            <Field label="Transferred dataset name" error={e["transferOptions.outputName"] ?? e.transferOptions}>
              {(p) => <input {...p} value={v.outputName} onChange={(ev) => setV({ ...v, outputName: ev.target.value })} />}
            </Field>
            <Field label="Transfer limit (first N images)" error={e["transferOptions.limit"]}>
              {(p) => <NumberInput {...p} value={v.limit} onChange={(x) => setV({ ...v, limit: x })} />}
            </Field>
            <Field label="Transfer batch size" error={e["transferOptions.batchSize"]}>
              {(p) => <NumberInput {...p} value={v.batchSize} onChange={(x) => setV({ ...v, batchSize: x })} />}
            </Field>
          </>
        )}
      </div>
      <BenchmarkPicker catalogue={catalogue} selected={benchmarks} setSelected={setBenchmarks} paths={paths} setPaths={setPaths} errors={e} idPrefix="pipeline" />
      <div className="checks">
        <label><input type="checkbox" checked={v.includeBaseline} onChange={(ev) => setV({ ...v, includeBaseline: ev.target.checked })} /> Also run the untransferred baseline (leaderboard delta)</label>
        <label><input type="checkbox" checked={v.allowNonStandardSize} onChange={(ev) => setV({ ...v, allowNonStandardSize: ev.target.checked })} /> Allow non-standard benchmark sizes</label>
      </div>
    </FormCard>
  );
}

function LaunchedPipeline({ id }: { id: string }) {
  const result = useQuery(PIPELINE, { id });
  const refetch = useDebounced(result.refetch, 200);
  useSubscription(PIPELINE_UPDATED, { id }, refetch);
  useReconnect(result.refetch);
  const p = result.data?.pipeline;
  if (!p) return <li>{result.error ? <ErrorMessage error={result.error} /> : <Loading what={`Pipeline ${shortId(id)}`} />}</li>;
  return (
    <li className="launched-run" data-pipeline-id={p.id}>
      <div className="launched-head">
        <strong><Link to={`/pipelines/${p.id}`}>{p.name}</Link></strong> {p.baseline && <span className="badge tag tag-info">baseline</span>} <StatusBadge status={p.status} />
        <Link to={`/runs?group=${encodeURIComponent(p.group)}`} className="small">runs of group {p.group}</Link>
      </div>
      <ProgressBar progress={p.progress} status={p.status} label={`Progress of pipeline ${p.name}`} />
      <ul className="chips" aria-label="Steps">
        {p.runs.map((r) => <li key={r.id}><Link to={`/runs/${r.id}`}>{runTitle(r)}</Link>&nbsp;<StatusBadge status={r.status} /></li>)}
      </ul>
      {p.error && <p className="error-text small">{p.error}</p>}
    </li>
  );
}

function LaunchedRun({ id }: { id: string }) {
  const result = useQuery(RUN, { id });
  const refetch = useDebounced(result.refetch, 200);
  useSubscription(UPDATED, { id }, refetch);
  useReconnect(result.refetch);
  const run = result.data?.run;
  if (!run) return <li>{result.error ? <ErrorMessage error={result.error} /> : <Loading what={`Run ${shortId(id)}`} />}</li>;
  return (
    <li className="launched-run" data-run-id={run.id}>
      <div className="launched-head">
        <Link to={`/runs/${run.id}`}>{runTitle(run)}</Link> <StatusBadge status={run.status} />
        <CancelButton runId={run.id} status={run.status} onCancelled={result.refetch} />
      </div>
      <LiveProgress runId={run.id} status={run.status} progress={run.progress} label={`Progress of ${runTitle(run)}`} onStale={refetch} />
      {run.error && <p className="error-text small">{run.error}</p>}
    </li>
  );
}

export function LaunchPage() {
  useDocumentTitle("Launch");
  const catalogue = useQuery(CATALOGUE);
  const caps = useCapabilities();
  const [launched, setLaunched] = useState<string[]>([]);
  const onLaunched = (ids: string[]) => {
    setLaunched((list) => [...ids, ...list]);
    catalogue.refetch();
  };
  return (
    <section aria-labelledby="launch-title">
      <div className="page-header"><h1 id="launch-title">Launch</h1></div>
      {launched.length > 0 && (
        <section className="card" aria-labelledby="launched-title">
          <h2 id="launched-title">Launched from this page</h2>
          <ul className="launched">
            {launched.map((id) => (id.startsWith("pipeline:") ? <LaunchedPipeline key={id} id={id.slice("pipeline:".length)} /> : <LaunchedRun key={id} id={id} />))}
          </ul>
        </section>
      )}
      {catalogue.loading && <Loading what="Loading datasets, methods and models" />}
      {catalogue.error && <ErrorMessage error={catalogue.error} retry={catalogue.refetch} title="The catalogue could not be loaded" />}
      {catalogue.data && (
        <div className="launch-forms">
          <TransferForm catalogue={catalogue.data} onLaunched={onLaunched} />
          {caps?.mutations.has("launchEvaluation") && <EvaluationForm catalogue={catalogue.data} onLaunched={onLaunched} />}
          {caps?.mutations.has("launchTraining") && <TrainingForm catalogue={catalogue.data} onLaunched={onLaunched} />}
          {caps?.mutations.has("launchPipeline") && <PipelineForm catalogue={catalogue.data} onLaunched={onLaunched} />}
          {caps && !caps.mutations.has("launchPipeline") && (
            <Empty title="Full pipeline">
              <p>This server does not offer <code>launchPipeline</code>; launch the steps one by one above.</p>
            </Empty>
          )}
        </div>
      )}
    </section>
  );
}
