import type { AdmissionRequest, EdgeCheck } from './admission';
import type { OperationLimits } from './limits';

/** The cost limit (see cost.ts) as an edge check: variables are known by now, and nothing is planned yet. */
export function costCheck(limits: OperationLimits): EdgeCheck {
  return {
    name: 'cost',
    admit: ({ schema, document, operation, variables }: AdmissionRequest) => {
      const error = limits.checkCost(schema, document, operation, variables);
      if (error) throw error;
    },
  };
}
