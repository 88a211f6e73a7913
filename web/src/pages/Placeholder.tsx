import { Link as RouterLink } from 'react-router-dom';
import { Link, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { usePageStyles } from './common';

/** Placeholder is a page whose backend has not landed: it says which API is missing and
 * shows no made-up data. */
export function Placeholder({ title, missing }: { title: string; missing: string }) {
  const s = usePageStyles();
  return (
    <div className={s.page}>
      <h1 className={s.title}>{title}</h1>
      <MessageBar intent="info">
        <MessageBarBody>
          <MessageBarTitle>Not available on this server yet</MessageBarTitle>
          This page needs {missing}. It will show real data once that API exists; until then there is nothing to show here.
        </MessageBarBody>
      </MessageBar>
    </div>
  );
}

export function NotFound() {
  const s = usePageStyles();
  return (
    <div className={s.page}>
      <h1 className={s.title}>Page not found</h1>
      <p>There is no page at this address. <Link as="a" href="/">Go home</Link> or open the <RouterLink to="/incidents">incident queue</RouterLink>.</p>
    </div>
  );
}
