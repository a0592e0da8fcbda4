import type { Type } from '@mikro-orm/core';

/** The name MikroORM knows a type instance's class by, for a property's `type`. */
export function typeNameOf(type: Type<unknown>): string {
  return type.constructor.name;
}

/** A copy of a type instance: discovery writes the owning property and metadata into it. */
export function cloneType<T extends object>(type: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(type) as object) as T, type);
}
