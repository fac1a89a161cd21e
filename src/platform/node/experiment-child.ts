/**
 * One Table C generation in its own process (started by generateInChildProcess): reads the request
 * (JSON) from argv, measures it, and prints the measurement as one JSON line with the process's
 * peak resident memory — read before the dense model is encoded for its size, which would
 * otherwise count.
 */
import { measureGeneration, denseBytes, type GenerationRequest } from '../../exp/generate-cell.js';
import { onnxruntimeNode } from '../../runtime/onnxruntime-node.js';

const request = JSON.parse(process.argv[2] ?? '{}') as GenerationRequest;
const measurement = await measureGeneration(request, onnxruntimeNode);
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
const dense = denseBytes(request.network, request.seed);
process.stdout.write(`${JSON.stringify({ ...measurement, peakRssBytes, denseBytes: dense })}\n`);
