// Shared with the web console, which type-checks without Node's types: keep this module import-free.

/** A user as lists show it (DESIGN.md "users list"); never a password or hash. */
export interface UserView {
  id: string;
  sourcedId: string | null;
  username: string;
  login: string;
  email: string;
  identifier: string;
  givenName: string;
  familyName: string;
  role: string;
  source: string;
  status: 'active' | 'deleted' | 'disabled';
  /** `here`: set in Lectern (it wins until the roster's password changes); `roster`: the roster's; `none`: no password. */
  passwordSource: 'here' | 'roster' | 'none';
}

/** The run whose roster a deleted user is missing from. */
export interface MissingFromRoster {
  runId: string;
  at: string;
  fileName: string;
}

/** A restored user, and whether the next sync will delete them again. */
export interface RestoredUser extends UserView {
  missingFromRoster: MissingFromRoster | null;
  warning: string | null;
}

/** A class as lists show it. */
export interface ClassView {
  id: string;
  sourcedId: string;
  title: string;
  classCode: string;
  classType: string;
  schoolSourcedId: string;
  status: string;
}
