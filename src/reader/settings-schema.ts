import { Type } from 'typebox';
import { READER_FONTS, READER_FONT_SIZE, READER_LINE_SPACINGS, READER_THEMES } from './reader-views.js';

/** A reader's settings as the API takes and answers them (the route and the service check the same schema). */
export const ReaderSettingsSchema = Type.Object(
  {
    font: Type.Enum([...READER_FONTS], { 'x-message': `Choose one of: ${READER_FONTS.join(', ')}.` }),
    fontSize: Type.Integer({ minimum: READER_FONT_SIZE.min, maximum: READER_FONT_SIZE.max, 'x-message': `Give a whole number from ${READER_FONT_SIZE.min} to ${READER_FONT_SIZE.max} (percent).` }),
    lineSpacing: Type.Enum([...READER_LINE_SPACINGS], { 'x-message': `Choose one of: ${READER_LINE_SPACINGS.join(', ')}.` }),
    theme: Type.Enum([...READER_THEMES], { 'x-message': `Choose one of: ${READER_THEMES.join(', ')}.` }),
    // Any well-formed tag: a language is added by adding its catalogue to the web build, not here.
    language: Type.Union([Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$', maxLength: 12 }), Type.Null()], {
      'x-message': 'Give a language tag such as en or es, or null to follow the browser.',
    }),
  },
  { additionalProperties: false },
);
