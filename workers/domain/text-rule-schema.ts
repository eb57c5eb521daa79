import { z } from 'zod';
import { checkText } from './text-rule.js';

/**
 * A zod string under the one rule for client text (text-rule.ts): no control characters, no invisible format
 * characters but the joiners it allows, valid Unicode, at most `maxLength` code points. The issue's message is
 * the rule's own, without the field name the caller's error adds.
 */
export function textRuleString(maxLength: number) {
  return z.string().superRefine((value, ctx) => {
    const violation = checkText('value', value, maxLength);
    if (violation) ctx.addIssue({ code: 'custom', message: violation.message.replace(/^value /, '') });
  });
}
