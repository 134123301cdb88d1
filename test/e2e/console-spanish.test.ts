/*
 * The console in Spanish, in real Chromium against the real server: a browser that asks for Spanish
 * gets the sign-in page and the console in Spanish (html lang="es"), the pages pass axe in Spanish,
 * and the language switch on the Account page changes every page to English and back, kept on the
 * device across a reload.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, screenshot, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });

describe('the console in Spanish in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let customerId: string;

  before(async () => {
    server = await startConsoleServer();
    customerId = (await seedCustomer(server.ctx, { profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' } })).id;
    browser = await launchBrowser();
    // A browser whose language is Spanish: Accept-Language and navigator.languages say es-ES.
    context = await browser.newContext({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const lang = () => page.evaluate('document.documentElement.lang');

  it('signs in in Spanish and shows the customers list, the Add customer form and a customer’s pages in Spanish', async () => {
    await page.goto(`${server.url}/login`);
    await visible(page.getByRole('heading', { name: 'Iniciar sesión', level: 1 }));
    assert.equal(await lang(), 'es');
    assert.equal(await page.title(), 'Iniciar sesión · Lectern');
    await expectAccessible(page, 'console sign-in in Spanish');

    // Client-side checks speak Spanish too.
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await visible(page.getByText('Escribe tu usuario o tu correo electrónico y tu contraseña.'));
    // A server error is shown in Spanish from its code.
    await page.getByLabel('Usuario o correo electrónico').fill(ADMIN_EMAIL);
    await page.getByLabel('Contraseña', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await visible(page.getByText('El usuario o la contraseña no son correctos.'));

    await page.getByLabel('Contraseña', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.waitForURL(`${server.url}/customers`);
    await visible(page.getByRole('heading', { name: 'Clientes', level: 1 }));
    await visible(page.getByRole('columnheader', { name: 'Última sincronización' }));
    await visible(page.getByRole('link', { name: 'Lincoln USD' }));
    assert.match(await page.getByText(/^Mostrando 1–1 de 1$/).innerText(), /Mostrando/);
    await expectAccessible(page, 'customers list in Spanish');
    await screenshot(page, 'console-es-customers');

    await page.getByRole('link', { name: '+ Añadir cliente' }).first().click();
    await visible(page.getByRole('heading', { name: 'Añadir cliente', level: 1 }));
    await visible(page.getByRole('heading', { name: 'Perfil', level: 2 }));
    await page.getByRole('button', { name: 'Añadir', exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Corrige los campos marcados.' }));
    assert.equal(await page.getByRole('textbox', { name: 'Nombre del cliente' }).getAttribute('aria-invalid'), 'true');
    await expectAccessible(page, 'Add customer form with errors in Spanish');
    await screenshot(page, 'console-es-add-customer', { fullPage: true });

    await page.goto(`${server.url}/customers/${customerId}/content`);
    await visible(page.getByRole('heading', { name: 'Contenido', level: 1 }));
    await visible(page.getByRole('heading', { name: 'Todavía no hay títulos' }));
    await expectAccessible(page, 'content page in Spanish');

    await page.goto(`${server.url}/customers/${customerId}/classes`);
    await visible(page.getByRole('tab', { name: 'Clase', selected: true }));
    await expectAccessible(page, 'classes tab in Spanish');
    assert.equal(await lang(), 'es');
  });

  it('switches the console to English on the Account page and back, and keeps the choice across a reload', async () => {
    await page.goto(`${server.url}/account`);
    await visible(page.getByRole('heading', { name: 'Cuenta', level: 1 }));
    await expectAccessible(page, 'account page in Spanish');

    await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    await visible(page.getByRole('heading', { name: 'Account', level: 1 }));
    await visible(page.getByRole('heading', { name: 'API tokens', exact: true }));
    assert.equal(await lang(), 'en');
    await page.reload();
    await visible(page.getByRole('heading', { name: 'Account', level: 1 }));
    assert.equal(await lang(), 'en');

    await page.getByRole('combobox', { name: 'Language' }).selectOption('es');
    await visible(page.getByRole('heading', { name: 'Tokens de API', exact: true }));
    assert.equal(await lang(), 'es');
    await page.goto(`${server.url}/customers`);
    await visible(page.getByRole('heading', { name: 'Clientes', level: 1 }));
  });
});
