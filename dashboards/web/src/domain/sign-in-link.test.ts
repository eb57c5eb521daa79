import { signInHref } from './sign-in-link.js';

const at = (pathname: string, search = '', hash = '') => ({ pathname, search, hash });

describe('the sign-in button', () => {
  it('carries the view the person opened, query and fragment, as return', () => {
    expect(signInHref(at('/', '?service=checkout&path=%2Fpay&range=6h', '#alerts'))).toBe(
      '/api/v1/auth/login?return=%2F%3Fservice%3Dcheckout%26path%3D%252Fpay%26range%3D6h%23alerts',
    );
  });

  it('signs in to the overview from the overview, after a failed sign-in, and from a view too long to carry', () => {
    expect(signInHref(at('/'))).toBe('/api/v1/auth/login');
    expect(signInHref(at('/', '', '#signin-error=NO_ROLE'))).toBe('/api/v1/auth/login');
    expect(signInHref(at('/', `?service=${'s'.repeat(600)}`))).toBe('/api/v1/auth/login');
  });
});
