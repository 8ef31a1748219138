/**
 * The root layout: AffitorProvider starts the browser SDK on every page, calling the tracking
 * API through the first-party handler on this origin (/relay, app/relay/[...path]/route.ts),
 * which sets the attribution cookies from the server.
 */
import { AffitorProvider } from '@affitor/sdk/react';
import type { ReactNode } from 'react';

export const metadata = { title: 'Example shop' };

// `|| '1'`: an empty value in a .env means the default, as the README says.
const PROGRAM_ID = process.env.NEXT_PUBLIC_AFFITOR_PROGRAM_ID || '1';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <AffitorProvider programId={PROGRAM_ID} apiBase="/relay" decorateStripe>
          {children}
        </AffitorProvider>
      </body>
    </html>
  );
}
