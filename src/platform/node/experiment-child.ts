/**
 * One Table C generation in its own process (started by generateInChildProcess): reads the request
 * (JSON) from argv, measures it, and prints the measurement as one JSON line with the process's
 * peak resident memory — read before the dense model is encoded for its size, which would
 * otherwise count. A SculptError (e.g. SynFlow scores underflowing) is printed as a failure line.
 */
import { measureGeneration, denseBytes, type GenerationRequest } from '../../exp/generate-cell.js';
import { onnxruntimeNode } from '../../runtime/onnxruntime-node.js';
import { isSculptError } from '../../errors.js';

const request = JSON.parse(process.argv[2] ?? '{}') as GenerationRequest;
let measurement;
try {
  measurement = await measureGeneration(request, onnxruntimeNode);
} catch (error) {
  // A SculptError is an outcome of the experiment (recorded in the table); anything else is a crash.
  if (!isSculptError(error)) throw error;
  process.stdout.write(`${JSON.stringify({ request, failed: { code: error.code, message: error.message } })}\n`);
  process.exit(0);
}
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
const dense = denseBytes(request.network, request.seed);
process.stdout.write(`${JSON.stringify({ ...measurement, peakRssBytes, denseBytes: dense })}\n`);
