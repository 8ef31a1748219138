/** Each DOM test starts on a fresh page view: the SDK keeps one tracker per page in module state. */
import { beforeEach } from 'vitest';
import { newPageView } from '../../src/browser/page-view';

beforeEach(() => newPageView());
