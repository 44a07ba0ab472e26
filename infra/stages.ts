/**
 * Which stages are protected: `sst remove` refuses them, their resources are retained when
 * removed from the app, and the incident table has deletion protection. The one rule, read by
 * sst.config.ts (`app()`) and by the stacks: `prod` and `production`, alone or as the start of a
 * stage name (`prod-eu`, `production-2`). Every other stage is disposable.
 */
const PROTECTED = /^(prod|production)(-|$)/;

export function isProtectedStage(stage: string): boolean {
  return PROTECTED.test(stage);
}
