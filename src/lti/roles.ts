/*
 * LTI 1.1 roles → the reader's roles. `roles` is a comma-separated list of LIS URNs; a value
 * without `urn:` is a context role handle (`Instructor` ≡ `urn:lti:role:ims/lis/Instructor`).
 * Compared case-insensitively, sub-roles by prefix (`Instructor/GuestInstructor` is an Instructor).
 * The role in this course (context role) decides first; institution and system roles only when the
 * launch has no context role we know. A launch never makes anyone an administrator of Lectern.
 */

/** The reader role a launch gives an LTI-only user. */
export type LaunchRole = 'teacher' | 'student' | 'reader';

const CONTEXT = 'urn:lti:role:ims/lis/';
const INSTITUTION = 'urn:lti:instrole:ims/lis/';
const SYSTEM = 'urn:lti:sysrole:ims/lis/';

const TEACHING_CONTEXT = ['instructor', 'contentdeveloper', 'teachingassistant', 'administrator'];
const TEACHING_INSTITUTION = ['faculty', 'instructor', 'staff', 'administrator'];

/** The reader role for a launch's `roles` parameter: teacher, student, or reader when neither applies. */
export function launchRole(roles: string | undefined): LaunchRole {
  const urns = (roles ?? '')
    .split(',')
    .map((r) => r.trim().toLowerCase())
    .filter(Boolean)
    .map((r) => (r.startsWith('urn:') ? r : `${CONTEXT}${r}`));
  const handles = (prefix: string) => urns.filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length).split('/')[0] ?? '');
  const context = handles(CONTEXT);
  if (context.some((h) => TEACHING_CONTEXT.includes(h))) return 'teacher';
  if (context.includes('learner')) return 'student';
  const institution = handles(INSTITUTION);
  const system = handles(SYSTEM);
  if (institution.some((h) => TEACHING_INSTITUTION.includes(h)) || system.some((h) => h === 'sysadmin' || h === 'administrator')) return 'teacher';
  if (institution.includes('student') || institution.includes('learner')) return 'student';
  return 'reader';
}
