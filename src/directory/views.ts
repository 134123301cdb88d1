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
