/** A DTO's fields, each as required or optional as the class has it (a plain object, not an instance). */
export type DtoFields<T> = { [K in keyof T]: T[K] };

/** A request body as the validation pipe hands it to a service: an instance of its DTO class, not a bare object. */
export const dto = <T extends object>(cls: new () => T, fields: NoInfer<DtoFields<T>>): T => Object.assign(new cls(), fields);
