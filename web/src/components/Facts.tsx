import { For, type JSX, Show } from "solid-js";

export type Fact = [label: string, value: JSX.Element | string | number | boolean | undefined | null];

function show(value: Fact[1]): JSX.Element {
  if (typeof value === "boolean") return value ? "yes" : "no";
  return value as JSX.Element;
}

/** A definition list of facts; empty values are left out rather than shown as blanks. */
export function Facts(props: { facts: Fact[]; empty?: string }) {
  const present = () => props.facts.filter(([, value]) => value !== undefined && value !== null && value !== "");
  return (
    <Show when={present().length > 0} fallback={<p class="muted">{props.empty ?? "Nothing recorded."}</p>}>
      <dl class="facts">
        <For each={present()}>
          {([label, value]) => (
            <>
              <dt>{label}</dt>
              <dd>{show(value)}</dd>
            </>
          )}
        </For>
      </dl>
    </Show>
  );
}
