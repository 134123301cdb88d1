import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Banner } from '../../components/Banner.js';
import { FileDrop } from '../../components/FileDrop.js';
import { PageHeader, useTitle } from '../../components/Layout.js';
import { UploadControls } from '../../components/UploadControls.js';
import { useCustomer } from '../../hooks/useCustomer.js';
import { useResource } from '../../hooks/useResource.js';
import { fileProblem, useFileUpload } from '../../hooks/useFileUpload.js';
import { navigate } from '../../router.js';
import { useContentCrumbs } from './crumbs.js';
import { contentPaths, type Book } from './model.js';

/**
 * Content → Upload title: pick or drop one EPUB or PDF, watch it upload, then land on the title's
 * page to check what was read from the file. The server decides the type from the bytes, so the
 * file name's extension is not checked here.
 */
export function UploadContentPage({ customerId }: { customerId: string }) {
  const { t } = useTranslation('content');
  const customer = useCustomer(customerId);
  const paths = contentPaths(customerId);
  const crumbs = useContentCrumbs(customerId, customer);
  const maxBytes = useResource<{ maxBookBytes: number }>('/api/meta/limits').data?.maxBookBytes;
  // The server decides the type from the bytes: only emptiness and size are checked here.
  const sender = useFileUpload<Book>({ check: (f) => fileProblem(f, maxBytes), missing: t('chooseBook') });
  useTitle(t('uploadTitle'));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const book = await sender.send(paths.api);
    if (book) navigate(`${paths.titlePage(book.id)}?uploaded=1`);
  };

  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title={t('uploadTitle')} subtitle={t('uploadSubtitle')} />
      <div className="upload-layout">
        <form className="card stack" onSubmit={submit} noValidate aria-labelledby="upload-title">
          <h2 id="upload-title">{t('bookFile')}</h2>
          {sender.failure ? <Banner kind="error">{sender.failure}</Banner> : null}
          <FileDrop
            name="file"
            label={t('epubOrPdf')}
            accept=".epub,.pdf,application/epub+zip,application/pdf"
            hint={t('fileHint')}
            prompt={t('dropBook')}
            file={sender.file}
            onFile={sender.choose}
            error={sender.fileError}
            disabled={sender.uploading}
          />
          <UploadControls file={sender.file} progress={sender.progress} onCancelUpload={sender.cancel} cancelTo={paths.page} submitLabel={t('upload')} />
        </form>
        <aside className="card upload-aside" aria-labelledby="upload-help-title">
          <h2 id="upload-help-title">{t('whatHappens')}</h2>
          <ol className="help-steps">
            <li>{t('step1')}</li>
            <li>{t('step2')}</li>
            <li>{t('step3')}</li>
          </ol>
        </aside>
      </div>
    </div>
  );
}
