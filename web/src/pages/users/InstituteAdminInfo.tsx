/** "What an institute admin may do": the scope rules of the service (school-scope.ts, people-service.ts) in words. */
export function InstituteAdminInfo() {
  return (
    <aside className="info-panel" aria-labelledby="institute-admin-info">
      <h3 id="institute-admin-info">What an institute admin may do</h3>
      <ul>
        <li>See the people and classes of their own schools only; everyone else stays invisible to them.</li>
        <li>Add teachers and students to their schools, set or reset their passwords, and disable or enable them.</li>
        <li>Restore people of their schools that a roster sync deleted.</li>
        <li>Not add other institute admins, act on administrators, or change the customer&apos;s settings.</li>
      </ul>
    </aside>
  );
}
