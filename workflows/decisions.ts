// A run's decisions: each Update's validator runs its rule's check and its handler the rule's apply, which answers
// with the version it produced. Typed from the message's definition (libs/contracts), so the compiler checks that
// the definition, the check and the apply agree on the payload and the answer.
import { setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { versioned, type Versioned } from '../libs/contracts/src';
import { handler, validator } from './failures';

/** Registers decisions over one run's state (`state.view.version` is the version an answer carries). */
export const decisionsOn =
  <S extends { view: { version: number } }, C>(state: S, ctx: () => C) =>
  <A, R extends object>(
    def: UpdateDefinition<Versioned<R>, [A]>,
    check: (s: S, a: A, c: C) => void,
    apply: (s: S, a: A, c: C) => R,
  ): void => {
    setHandler(
      def,
      handler((a: A) => versioned(apply(state, a, ctx()), state.view.version)),
      {
        validator: validator((a: A) => check(state, a, ctx())),
      },
    );
  };
