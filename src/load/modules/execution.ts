import { TestAborted, type InstanceContext, type VuContext } from '../vu-context.js';
import type { K6Module } from './k6-module.js';

/** `k6/execution`: live views of the instance, scenario, VU and test, read through getters. */
export const executionModule: K6Module = {
  specifier: 'k6/execution',
  blocking: [],
  create(vu) {
    const api = { instance: instanceView(vu.instance), scenario: scenarioView(vu), vu: vuView(vu), test: testView(vu.instance) };
    return { ...api, default: api };
  },
};

function instanceView(inst: InstanceContext) {
  return {
    get iterationsCompleted() {
      return inst.instance.iterationsCompleted;
    },
    get iterationsInterrupted() {
      return inst.instance.iterationsInterrupted;
    },
    get vusActive() {
      return inst.instance.vusActive;
    },
    get vusInitialized() {
      return inst.instance.vusInitialized;
    },
    get currentTestRunDuration() {
      return Date.now() - inst.testStartedAt;
    },
  };
}

function scenarioView(vu: VuContext) {
  return {
    get name() {
      return vu.scenario?.name ?? '';
    },
    get executor() {
      return vu.scenario?.executor ?? '';
    },
    get startTime() {
      return vu.scenario?.startTime ?? 0;
    },
    get progress() {
      return vu.scenario?.progress() ?? 0;
    },
    get iterationInInstance() {
      return vu.scenario?.iterationInInstance ?? 0;
    },
    get iterationInTest() {
      return vu.scenario?.iterationInTest ?? 0;
    },
  };
}

function vuView(vu: VuContext) {
  return {
    get idInInstance() {
      return vu.idInInstance;
    },
    get idInTest() {
      return vu.id;
    },
    get iterationInInstance() {
      return Math.max(0, vu.iteration);
    },
    get iterationInScenario() {
      return Math.max(0, vu.iteration);
    },
    tags: vu.vuTags,
    metrics: { tags: vu.vuTags, metadata: vu.metadata },
  };
}

function testView(inst: InstanceContext) {
  return {
    abort(message?: string) {
      const reason = message ? `test aborted: ${message}` : 'test aborted by the script';
      inst.abortTest(reason);
      throw new TestAborted(reason);
    },
    fail(message?: string) {
      inst.markFailed(message ?? 'test marked as failed by the script');
    },
    get options() {
      return inst.options;
    },
  };
}
