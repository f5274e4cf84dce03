// The production migrations, in order. Append only; never edit an applied one.
import type { Migration } from '../migrate'
import { migration001 } from './001-registry'

export const migrations: readonly Migration[] = [migration001]
