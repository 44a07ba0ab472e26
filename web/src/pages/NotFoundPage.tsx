import { A } from "@solidjs/router";

export function NotFoundPage() {
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>
        <A href="/">Back to the incidents</A>
      </p>
    </section>
  );
}
