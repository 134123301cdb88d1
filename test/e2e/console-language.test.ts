/*
 * The console's language switch in the top bar, in real Chromium against the real server: an
 * enterprise admin in an English browser switches to Spanish on a customer's page, and the top bar,
 * the navigation, the breadcrumbs, the account menu and every card of the customer page turn
 * Spanish (axe finds nothing), kept on the device across a reload. A customer admin's choice is
 * kept with their account (their reading settings), so another device opens the console in Spanish.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { waitFor } from '../helpers/wait.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });
const lang = (page: Page) => page.evaluate('document.documentElement.lang');

describe('the console’s language switch in the top bar, in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;

  before(async () => {
    server = await startConsoleServer();
    // LTI 1.1 and 1.3 with a registered platform, and OneRoster over SFTP: every card of the page has something to say.
    customer = await seedCustomer(server.ctx, {
      profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' },
      lti: {
        version: 'both',
        platforms: [
          {
            issuer: 'https://canvas.example.edu',
            clientId: '10000000000042',
            deploymentIds: ['1:abc'],
            authLoginUrl: 'https://canvas.example.edu/api/lti/authorize_redirect',
            authTokenUrl: 'https://canvas.example.edu/login/oauth2/token',
            jwksUrl: 'https://canvas.example.edu/api/lti/security/jwks',
          },
        ],
      },
    } as never);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page of its own (a device of its own: its own storage), in a browser that asks for English. */
  const englishDevice = async (): Promise<Page> => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return page;
  };

  it('switches an enterprise admin’s console to Spanish from the top bar: the nav and the customer page speak Spanish, and the choice stays on the device', async () => {
    const page = await englishDevice();
    await signInToConsole(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${server.url}/customers/${customer.id}`);
    await visible(page.getByRole('region', { name: 'Audit trail' }));
    assert.equal(await lang(page), 'en');

    await page.getByRole('banner').getByRole('combobox', { name: 'Language' }).selectOption('es');
    const nav = page.getByRole('navigation', { name: 'Principal' });
    await visible(nav.getByRole('link', { name: 'Clientes' }));
    assert.equal(await lang(page), 'es');
    assert.equal(await nav.getByRole('link', { name: 'Clientes' }).getAttribute('aria-current'), 'page');
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Clientes', 'Estado', 'Borrados', 'Auditoría']);
    await visible(page.getByRole('navigation', { name: 'Ruta de navegación' }).getByRole('link', { name: 'Clientes' }));
    await visible(page.getByRole('banner').getByRole('link', { name: /Lectern Consola ?, inicio/ }));
    await visible(page.getByRole('banner').getByRole('combobox', { name: 'Idioma' }));

    // The customer page: header, actions and every card.
    await visible(page.getByRole('heading', { name: /^Lincoln USD/, level: 1 }));
    assert.equal(await page.locator('.page-subtitle').innerText(), 'Código lincoln · America/Chicago');
    for (const name of ['Usuarios y clases', 'Contenido']) await visible(page.getByRole('main').getByRole('link', { name, exact: true }));
    for (const name of ['Editar', 'Desactivar', 'Rotar secreto', 'URL de registro nueva', 'Descargar la exportación (.zip)', 'Guardar el plazo', 'Borrar cliente…']) {
      await visible(page.getByRole('button', { name, exact: true }));
    }
    const facts = await page.locator('.summary-grid').innerText();
    for (const words of [
      'Administrador',
      'Correo electrónico',
      'Teléfono',
      'Dirección',
      'Clave de consumidor',
      'Secreto compartido',
      'Guardado',
      'Pega estos valores',
      'Emisor (issuer)',
      'A mano',
      'Listados',
    ]) {
      assert.ok(facts.includes(words), `the summary says “${words}”`);
    }
    for (const words of ['Tipo de sincronización', 'Emparejar por', 'Automática · Semanal', 'Última sincronización', 'Nunca', 'Sufijo', 'Contraseña de SFTP', 'Añadido el']) {
      assert.ok(facts.includes(words), `the rostering facts say “${words}”`);
    }
    await visible(page.getByRole('region', { name: 'Exportación de datos' }).getByText('Nunca incluye contraseñas.', { exact: false }));
    await visible(page.getByRole('region', { name: 'Registro de auditoría' }).getByRole('link', { name: 'Todas las entradas, con las consultas' }));
    const offboarding = page.getByRole('region', { name: 'Baja y borrado' });
    await visible(offboarding.getByText('Cuando este cliente se desactive, la purga diaria lo borrará 30 días después, con un certificado.'));
    await visible(offboarding.getByLabel('Plazo de baja (días)'));
    assert.equal(await page.title(), 'Lincoln USD · Lectern');
    await expectAccessible(page, 'customer page in Spanish');
    await screenshot(page, 'console-es-customer', { fullPage: true });

    // A check of the form speaks Spanish, and so do the erase dialog and the account menu.
    await offboarding.getByLabel('Plazo de baja (días)').fill('0');
    await offboarding.getByRole('button', { name: 'Guardar el plazo' }).click();
    await visible(offboarding.getByText('Escribe un número entero de días entre 1 y 3650, o déjalo vacío para el valor predeterminado.'));
    await page.getByRole('button', { name: 'Borrar cliente…' }).click();
    const erase = page.getByRole('dialog', { name: '¿Borrar Lincoln USD?' });
    await visible(erase.getByLabel('Escribe el código del cliente, lincoln, para confirmar'));
    await visible(erase.getByRole('button', { name: 'Borrar cliente', exact: true }));
    await expectAccessible(page, 'erase customer dialog in Spanish');
    await page.keyboard.press('Escape');
    await erase.waitFor({ state: 'hidden' });
    await page.getByRole('banner').getByRole('button').click();
    const menu = page.getByRole('menu', { name: 'Cuenta' });
    await visible(menu.getByRole('menuitem', { name: 'Cerrar sesión' }));
    await visible(menu.getByRole('menuitem', { name: 'Cuenta' }));
    await page.keyboard.press('Escape');

    // Kept on this device: a reload, and the Account page, are still Spanish.
    await page.reload();
    await visible(page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Clientes' }));
    await page.goto(`${server.url}/account`);
    await visible(page.getByRole('heading', { name: 'Cuenta', level: 1 }));
    await visible(page.getByText('El idioma de la consola en este dispositivo.'));
    await page.context().close();
  });

  it('keeps a customer admin’s choice with their account, so the console opens in Spanish on another device', async () => {
    const first = await englishDevice();
    await signInToConsole(first, server.url, customer.adminEmail, customer.adminPassword);
    const nav = first.getByRole('navigation', { name: 'Main' });
    await visible(nav.getByRole('link', { name: 'Users' }));
    await first.getByRole('banner').getByRole('combobox', { name: 'Language' }).selectOption('es');
    await visible(first.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Usuarios' }));
    const userId = customer.created.administrator.userId!;
    // Saved as the language of their reading settings, the others left as they were.
    await waitFor(async () => (await server.ctx.reader.settings(customer.id, userId)).language === 'es', 'the language saved to the account');
    assert.deepEqual(await server.ctx.reader.settings(customer.id, userId), { font: 'book', fontSize: 100, lineSpacing: 'normal', theme: 'standard', language: 'es' });
    await first.context().close();

    const second = await englishDevice();
    await signInToConsole(second, server.url, customer.adminEmail, customer.adminPassword);
    const spanishNav = second.getByRole('navigation', { name: 'Principal' });
    await visible(spanishNav.getByRole('link', { name: 'Usuarios' }));
    await visible(spanishNav.getByRole('link', { name: 'Contenido' }));
    assert.equal(await lang(second), 'es');
    await second.goto(`${server.url}/account`);
    await visible(second.getByText('El idioma de la consola y del lector, guardado con tu cuenta en todos tus dispositivos.'));
    await expectAccessible(second, 'account page of a customer admin in Spanish');

    // Back to English from the top bar, on the account too.
    await second.getByRole('banner').getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    await visible(second.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }));
    await waitFor(async () => (await server.ctx.reader.settings(customer.id, userId)).language === 'en', 'English saved to the account');
    await second.context().close();
  });
});
