// Writes the weights of the embedding fixture (src/fixtures/embedding-models.ts) as .npy, so the
// Python reference of the IJB-C alignment golden (make-ijbc-align-golden.py) runs the same model
// in numpy. Usage: tsx scripts/golden/write-embedding-fixture-weights.ts OUT_DIR DIMENSION SEED
import path from "node:path";
import { embeddingFixtureWeights } from "../../src/fixtures";
import { writeNpyFloat32 } from "../../src/metrics";

const [outDir, dimension, seed] = process.argv.slice(2);
if (!outDir || !dimension || !seed) throw new Error("usage: write-embedding-fixture-weights.ts OUT_DIR DIMENSION SEED");
const weights = embeddingFixtureWeights(Number(dimension), Number(seed));
writeNpyFloat32(path.join(outDir, "model-weight.npy"), weights.weight, [weights.weight.length / Number(dimension), Number(dimension)]);
writeNpyFloat32(path.join(outDir, "model-bias.npy"), weights.bias, [Number(dimension)]);
