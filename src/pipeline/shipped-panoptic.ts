import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_INSTANCE_FINETUNE, finetuneInstances } from '../models/panoptic/instances.js';
import { DEFAULT_SEMANTIC_HEAD_CONFIG, saveSemanticHead, trainSemanticHead } from '../models/panoptic/semantic-head.js';

/**
 * The panoptic model's shipped checkpoints, retrained as `scripts/train-panoptic.ts` makes them: the
 * semantic head from scratch (`panoptic-semantic.ckpt`) and Mask R-CNN fine-tuned on the panoptic
 * images (`panoptic-mask-rcnn.ckpt`) from `dir/mask-rcnn.ckpt` when the detector chain just made it,
 * else from the shipped Mask R-CNN. `quick`: 2 steps each (a smoke test of the runs, not a result).
 */
export async function trainShippedPanoptic(dir: string, options: { quick?: boolean; log?: (line: string) => void } = {}): Promise<Record<string, string>> {
  const log = options.log ?? (() => {});
  const quick = options.quick ?? false;
  const semanticPath = join(dir, 'panoptic-semantic.ckpt');
  const config = quick ? { ...DEFAULT_SEMANTIC_HEAD_CONFIG, trainImages: 16 } : DEFAULT_SEMANTIC_HEAD_CONFIG;
  const semantic = await trainSemanticHead(config, undefined, { steps: quick ? 2 : undefined, onEpoch: (r) => log(`panoptic semantic head: epoch ${r.epoch + 1} loss ${r.loss.toFixed(4)}`) });
  saveSemanticHead(semanticPath, semantic.model, config, { trainSeconds: semantic.seconds });
  semantic.model.dispose();
  const instancesPath = join(dir, 'panoptic-mask-rcnn.ckpt');
  const retrained = join(dir, 'mask-rcnn.ckpt');
  const init = existsSync(retrained) ? retrained : undefined;
  finetuneInstances(quick ? { ...DEFAULT_INSTANCE_FINETUNE, steps: 2 } : DEFAULT_INSTANCE_FINETUNE, instancesPath, { init, valImages: quick ? 2 : undefined, log: (line) => log(`panoptic Mask R-CNN: ${line}`) });
  return { 'panoptic-semantic': semanticPath, 'panoptic-mask-rcnn': instancesPath };
}
