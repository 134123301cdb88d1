import type { EntityType } from './snapshot.js';

/** Where an entity type lives and which of its columns a sync owns (compared, copied, reported). */
export interface EntityTable {
  entity: EntityType;
  live: 'orgs' | 'academic_sessions' | 'courses' | 'classes' | 'users' | 'enrollments';
  stage: 'stage_orgs' | 'stage_academic_sessions' | 'stage_courses' | 'stage_classes' | 'stage_users' | 'stage_enrollments';
  /** Columns with the same name in the live and the stage table. */
  fields: readonly string[];
  /** Whether its records carry sync_owner: the types a Sync from LMS makes (ownership.ts). */
  owned?: true;
}

/** The tables of each entity type, in dependency order. */
export const ENTITY_TABLES: readonly EntityTable[] = [
  { entity: 'orgs', live: 'orgs', stage: 'stage_orgs', fields: ['name', 'type', 'identifier', 'parent_sourced_id', 'metadata'] },
  {
    entity: 'academicSessions',
    live: 'academic_sessions',
    stage: 'stage_academic_sessions',
    fields: ['title', 'type', 'start_date', 'end_date', 'parent_sourced_id', 'school_year', 'metadata'],
  },
  {
    entity: 'courses',
    live: 'courses',
    stage: 'stage_courses',
    fields: ['title', 'course_code', 'grades', 'org_sourced_id', 'school_year_sourced_id', 'subjects', 'metadata'],
  },
  {
    entity: 'classes',
    live: 'classes',
    stage: 'stage_classes',
    owned: true,
    fields: ['title', 'class_code', 'class_type', 'school_sourced_id', 'course_sourced_id', 'grades', 'location', 'term_sourced_ids', 'subjects', 'periods', 'metadata'],
  },
  {
    entity: 'users',
    live: 'users',
    stage: 'stage_users',
    owned: true,
    fields: [
      'username',
      'identifier',
      'email',
      'given_name',
      'family_name',
      'middle_name',
      'role',
      'enabled_user',
      'grades',
      'user_ids',
      'agent_sourced_ids',
      'org_sourced_ids',
      'phone',
      'sms',
      'metadata',
      'password_digest',
    ],
  },
  {
    entity: 'enrollments',
    live: 'enrollments',
    stage: 'stage_enrollments',
    owned: true,
    fields: ['class_sourced_id', 'user_sourced_id', 'school_sourced_id', 'role', 'is_primary', 'begin_date', 'end_date', 'metadata'],
  },
];
