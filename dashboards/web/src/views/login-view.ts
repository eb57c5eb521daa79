import { requireElement } from './require-element.js';

/** The token login shown when the API answers 401. */
export class LoginView {
  private readonly section = requireElement('login', HTMLElement);
  private readonly input = requireElement('login-token', HTMLInputElement);
  private readonly error = requireElement('login-error', HTMLParagraphElement);
  private readonly main = requireElement('main', HTMLElement);
  private readonly logout = requireElement('logout', HTMLButtonElement);

  constructor(onSubmit: (token: string) => void, onLogout: () => void) {
    requireElement('login-form', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      const token = this.input.value.trim();
      if (token) onSubmit(token);
    });
    this.logout.addEventListener('click', onLogout);
  }

  /** `rejected` is the API's message when a stored or typed token was refused. */
  show(rejected: string | null): void {
    this.section.hidden = false;
    this.main.hidden = true;
    this.logout.hidden = true;
    this.error.textContent = rejected ? `The token was rejected: ${rejected}` : '';
    this.input.value = '';
    this.input.focus();
  }

  hide(hasToken: boolean): void {
    this.section.hidden = true;
    this.main.hidden = false;
    this.logout.hidden = !hasToken;
  }

  get visible(): boolean {
    return !this.section.hidden;
  }
}
