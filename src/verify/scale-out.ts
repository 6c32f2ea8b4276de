import type { Budgets } from '../budgets/types.js';
import type { CheckResult, MetricSample } from '../run/records.js';
import { analyzeScaleOut, type ItemStatus, type ScaleOutVerdict } from '../scaling/scale-out-analysis.js';
import { fromDetails, skipped } from './check-result.js';
import type { RunData } from '../run/run-data.js';

const ID = 'scale-out';
const TITLE = 'Scale-out';

/**
 * The scaling room's judgement (analyzeScaleOut) within the budgets' bounds, kept in its two
 * parts: did the controller decide right (reaction, peak, flapping, stabilization), and did
 * capacity grow. A warning (e.g. maxReplicas reached, or a machine that cannot show capacity
 * growth) passes with its evidence as the note.
 */
export function checkScaleOut(data: RunData, budgets: Budgets): CheckResult {
  const limits = budgets.scaleOut;
  if (!limits.enabled) return skipped(ID, TITLE, `disabled in ${budgets.file}`);
  const { timeline, requests } = data;
  if (!timeline.some((e) => e.type === 'scale-decision')) return skipped(ID, TITLE, 'no autoscaler ran (no scale-decision events in the timeline)');
  // what the drill records about its autoscaler (Kubernetes defaults otherwise)
  const periods = controllerPeriods(data.config ?? {}, limits);
  const verdict = analyzeScaleOut({
    timeline,
    cpu: (data.metrics ?? []).filter((s): s is Extract<MetricSample, { source: 'cpu' }> => s.source === 'cpu'),
    requests,
    limits: { maxReactionMs: periods.reactionMs, flapWindowMs: periods.flapWindowMs },
    syncPeriodMs: periods.syncPeriodMs,
    scaleDownStabilizationMs: periods.scaleDownStabilizationMs,
    ...(data.config?.capacityShowable ? { capacityShowable: data.config.capacityShowable } : {}),
  });
  const status = (s: ItemStatus) => (s === 'warn' ? 'pass' : s);
  const part = (name: string, p: { status: ItemStatus; evidence: string[] }) => ({
    name,
    status: status(p.status),
    // the row's status says pass or fail; its figure says what was seen, never a second status
    figure: PART_FIGURE[p.status],
    limit: 'yes',
    ...(p.evidence.length ? { note: (p.status === 'warn' ? 'warning: ' : '') + p.evidence.slice(0, 3).join('; ') } : {}),
  });
  const quiet = servicesNeverAboveTarget(verdict.items);
  // items first, so a failure's reason names the item (e.g. "catalog reaction"), then the two verdicts
  const details: CheckResult['details'] = [
    ...verdict.items.map((i) => ({
      name: `${i.service} ${i.id}`,
      status: status(i.status),
      figure: i.figure,
      limit: i.limit,
      ...(i.evidence.length ? { note: (i.status === 'warn' ? 'warning: ' : '') + i.evidence.join('; ') } : {}),
      ...(quiet.has(i.service) ? { group: NEVER_ABOVE_TARGET } : {}),
    })),
    part('controller decided right', verdict.controllerDecidedRight),
    part('capacity grew', verdict.capacityGrew),
  ];
  const limit = `<= ${seconds(periods.reactionMs)}, no flaps${periods.compression !== 1 ? ` (Kubernetes time ×${+periods.compression.toFixed(3)})` : ''}`;
  return fromDetails(ID, TITLE, scaleOutFigure(verdict.services), limit, [...details, ...periods.notes.map(noteDetail)], 'utilisation never rose above target');
}

const PART_FIGURE: Record<ItemStatus, string> = { pass: 'yes', warn: 'yes, with a warning', fail: 'no', skip: 'not shown' };

/** Reports fold these services' rows together: nothing happened to judge, and nothing went wrong. */
const NEVER_ABOVE_TARGET = 'services whose utilisation never rose above their target';

/** Services whose utilisation never crossed the target (no reaction to judge) and none of whose items failed or warned. */
function servicesNeverAboveTarget(items: ReadonlyArray<{ service: string; id: string; status: ItemStatus }>): Set<string> {
  const services = new Set(items.filter((i) => i.id === 'reaction' && i.status === 'skip').map((i) => i.service));
  for (const i of items) if (i.status === 'fail' || i.status === 'warn') services.delete(i.service);
  return services;
}

/** Kubernetes' HPA syncs every 15 s and stabilizes scale-down over 300 s (its defaults). */
const K8S_SYNC_MS = 15_000;
const K8S_SCALE_DOWN_STABILIZATION_MS = 300_000;

/**
 * The controller's periods and the budget's time rules on one clock. The budgets file speaks
 * Kubernetes time (reaction 60 s, flap window 60 s); a drill that compresses its autoscaler (a 3 s
 * sync is Kubernetes ×0.2) compresses those rules by the same factor. A flap window longer than
 * the autoscaler's own scale-down stabilization would call its ordinary scale-down a flap: the
 * rule never contradicts the controller's settings, so the window is capped there, and says so.
 */
export function controllerPeriods(
  config: NonNullable<RunData['config']>,
  limits: Pick<Budgets['scaleOut'], 'reactionMs' | 'flapWindowMs'>,
): { syncPeriodMs: number; scaleDownStabilizationMs: number; compression: number; reactionMs: number; flapWindowMs: number; notes: string[] } {
  const scale = config.timeScale ?? 1;
  const syncPeriodMs = config.syncPeriodMs ?? K8S_SYNC_MS * scale;
  const compression = syncPeriodMs / K8S_SYNC_MS;
  const scaleDownStabilizationMs = config.scaleDownStabilizationMs ?? K8S_SCALE_DOWN_STABILIZATION_MS * compression;
  const flapWindowMs = limits.flapWindowMs * compression;
  const notes: string[] = [];
  if (flapWindowMs > scaleDownStabilizationMs) {
    notes.push(
      `flap window ${seconds(flapWindowMs)} capped at the autoscaler's scale-down stabilization ${seconds(scaleDownStabilizationMs)}: ` +
        'a scale-down after it is the controller working as configured',
    );
  }
  return {
    syncPeriodMs,
    scaleDownStabilizationMs,
    compression,
    reactionMs: limits.reactionMs * compression,
    flapWindowMs: Math.min(flapWindowMs, scaleDownStabilizationMs),
    notes,
  };
}

function seconds(ms: number): string {
  return `${+(ms / 1000).toFixed(1)}s`;
}

function noteDetail(note: string): CheckResult['details'][number] {
  return { name: 'rules on the controller\'s clock', status: 'pass', figure: 'capped', limit: '-', note };
}

/**
 * The check's one-line figure: how soon the slowest service scaled out after its utilisation
 * crossed the target, the peaks of those that scaled, and how many held. A sync-based controller
 * often decides on the very sample that crossed the target: that reads "at the first sync", not
 * as a 0.0 s reaction.
 */
export function scaleOutFigure(services: ReadonlyArray<Pick<ScaleOutVerdict['services'][number], 'service' | 'reactionMs' | 'firstScaleOutAt' | 'peakReplicas'>>): string {
  const peaks = services.filter((s) => s.firstScaleOutAt !== undefined).map((s) => `${s.service} ${s.peakReplicas}`);
  const held = services.filter((s) => s.firstScaleOutAt === undefined && s.peakReplicas > 0).length;
  const heldText = held ? `${held} ${peaks.length ? `other${held === 1 ? '' : 's'} ` : ''}held` : '';
  if (peaks.length === 0) return ['no scale-out', heldText].filter(Boolean).join('; ');
  const reactions = services.filter((s) => s.reactionMs !== undefined).map((s) => s.reactionMs!);
  const slowest = reactions.length ? Math.max(...reactions) : undefined;
  const when =
    slowest === undefined ? 'scaled out' : slowest < 50 ? 'scaled out at the first sync above target' : `scaled out within ${(slowest / 1000).toFixed(1)}s of crossing target`;
  return [when, `peak ${peaks.join(', ')}`, heldText].filter(Boolean).join('; ');
}
