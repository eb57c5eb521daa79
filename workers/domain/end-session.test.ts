import { buildEndSessionUrl, postLogoutRedirectOf } from './end-session.js';

describe('RP-initiated logout URL', () => {
  it("keeps the provider's own parameters and adds client_id and the post-logout redirect, encoded", () => {
    expect(
      buildEndSessionUrl(
        'https://sso.example.com/realms/acme/protocol/openid-connect/logout?ui_locales=en',
        'gravix',
        postLogoutRedirectOf('https://gravix.example.com/api/v1/auth/callback'),
      ),
    ).toBe(
      'https://sso.example.com/realms/acme/protocol/openid-connect/logout?ui_locales=en&client_id=gravix' +
        '&post_logout_redirect_uri=https%3A%2F%2Fgravix.example.com%2F',
    );
  });
});
