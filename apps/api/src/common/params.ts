// Path ids are checked before they reach the database or a workflow: an id of the wrong form is simply
// unknown (404), never a database error.
import { Injectable, PipeTransform } from '@nestjs/common';
import { notFound, unitIdOfItem } from '../../../../libs/domain/src';
import { isUuid } from './dto';

/** isUuid without its type guard: a refused string stays a string (to be named in the 404). */
const hasUuidForm = (value: string): boolean => isUuid(value);

@Injectable()
export class UuidParam implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}
  transform(value: string): string {
    if (!hasUuidForm(value)) throw notFound(this.what, value.slice(0, 80));
    return value.toLowerCase();
  }
}

/** `<unit uuid>.item-<n>` (libs/domain ids.ts). */
@Injectable()
export class ItemIdParam implements PipeTransform<string, string> {
  transform(value: string): string {
    const unitId = unitIdOfItem(value);
    if (!unitId || !isUuid(unitId) || !/\.item-[1-9]\d{0,5}$/.test(value)) throw notFound('item', value.slice(0, 80));
    return value.toLowerCase();
  }
}

/** Ids minted by the workflows (transitions, objections, extensions, goals). */
@Injectable()
export class WorkflowIdParam implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}
  transform(value: string): string {
    if (!/^[A-Za-z0-9._:-]{1,160}$/.test(value)) throw notFound(this.what, value.slice(0, 80));
    return value;
  }
}
