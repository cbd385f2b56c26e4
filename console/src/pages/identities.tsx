/** A pool's identities to register: who is registered and who is not, and import by paste with a result per line. */
import { useState } from 'preact/hooks';
import { api, must } from '../api.ts';
import { canChange, ErrorLine, Field, latest, LineResults, Section, Table, useLoadAt, when, type PageProps } from '../ui.tsx';

/**
 * The identities of `poolId` (the first 100 of those shown), filtered by whether a flow
 * registered them; `changed` is a position from the feed to read them again at.
 *
 * @example
 * <IdentitiesSection {...props} poolId="web" changed={position} />
 */
export function IdentitiesSection(props: PageProps & { poolId: string; changed: string | undefined }) {
  const [registered, setRegistered] = useState<'' | 'true' | 'false'>('');
  // Read at the later of the last import's position and the feed's.
  const [list, error, after] = useLoadAt((imported) => {
    const position = latest(imported, props.changed);
    return must(api.GET('/v1/pools/{poolId}/identities', {
      params: { path: { poolId: props.poolId }, query: { limit: 100, offset: 0, ...(registered ? { registered: registered === 'true' } : {}), ...(position ? { position } : {}) } },
    }));
  }, [props.poolId, registered, props.changed]);
  const [results, setResults] = useState<Array<{ line: number; email: string | null; result: string; error?: string }>>();
  const [text, setText] = useState('');

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    try {
      const answer = await must(api.POST('/v1/pools/{poolId}/identities', { params: { path: { poolId: props.poolId } }, body: { lines: text } }));
      setResults(answer.lines);
      setText(''); // the pasted passwords do not stay on the page
      props.notify(`Identities: imported ${answer.imported}, duplicates ${answer.duplicates}, invalid ${answer.invalid}`);
      after(answer.position);
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };

  return (
    <Section title="Identities" actions={<span class="muted" aria-live="polite">{list ? `${list.total.toLocaleString()} shown by the filter` : ''}</span>}>
      <Field label="Registered">
        <select value={registered} onChange={(e) => setRegistered((e.currentTarget as HTMLSelectElement).value as '')}>
          <option value="">any</option><option value="true">registered</option><option value="false">not yet</option>
        </select>
      </Field>
      <ErrorLine error={error} />
      <Table label="Identities">
        <thead><tr><th scope="col">Email</th><th scope="col">Registered</th><th scope="col">Fields</th><th scope="col">Imported</th></tr></thead>
        <tbody>
          {(list?.items ?? []).map((i) => (
            <tr data-identity={i.email}>
              <td>{i.email}</td><td data-registered={String(i.registered)}>{i.registered ? 'yes' : 'not yet'}</td><td>{i.fields.join(', ')}</td><td>{when(i.importedAt)}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      {canChange(props.role) && (
        <form onSubmit={submit} aria-label="Import identities">
          <Field label="Identities to register, one a line: email:password">
            <textarea rows={4} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} spellcheck={false} />
          </Field>
          <button type="submit" disabled={!text.trim()}>Import identities</button>
        </form>
      )}
      {results && <LineResults label="Identity import results" name="Email" rows={results.map((r) => ({ ...r, name: r.email }))} />}
    </Section>
  );
}
