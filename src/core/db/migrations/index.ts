// The production migrations, in order. Append only; never edit an applied one.
import type { Migration } from '../migrate'
import { migration001 } from './001-registry'
import { migration002 } from './002-datasets'
import { migration003 } from './003-evaluation'
import { migration004 } from './004-drift'
import { migration005 } from './005-blob-leases'
import { migration006 } from './006-monitor-claims'
import { migration007 } from './007-governance'
import { migration008 } from './008-dataset-names'
import { migration009 } from './009-archive'
import { migration010 } from './010-retraining'
import { migration011 } from './011-remotes'
import { migration012 } from './012-listing-indexes'
import { migration013 } from './013-trash'
import { migration014 } from './014-dataset-retired'
import { migration015 } from './015-dataset-snapshot'

export const migrations: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
  migration013,
  migration014,
  migration015,
]
