// The theme in use, for components: App provides it from the options.
// Kept apart from theme.ts so that parsing options loads no React (React
// chooses its build from NODE_ENV when first imported).

import { createContext, useContext } from 'react';
import { DEFAULT_THEME, type Theme } from './theme.js';

/** The theme in use (the default outside a provider). */
export const ThemeContext = createContext<Theme>(DEFAULT_THEME);

/** The theme in use. */
export function useTheme(): Theme {
  return useContext(ThemeContext);
}
