// The randomized tests' seeded generator: the project's own (mulberry32), so a failure replays.
export { mulberry32 as seededRandom } from "../../src/metrics/seeded-random";
