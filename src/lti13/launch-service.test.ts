import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { launchRole13 } from './launch-service.js';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

describe('launchRole13: LIS v2 role URIs read by the LTI 1.1 rules', () => {
  it('context roles decide first: Instructor and its sub-roles teach, Learner reads as a student', () => {
    assert.equal(launchRole13([`${LIS}membership#Instructor`, `${LIS}institution/person#Student`]), 'teacher');
    assert.equal(launchRole13([`${LIS}membership/Instructor#TeachingAssistant`]), 'teacher');
    assert.equal(launchRole13([`${LIS}membership#ContentDeveloper`]), 'teacher');
    assert.equal(launchRole13([`${LIS}membership#Learner`, `${LIS}institution/person#Faculty`]), 'student');
  });

  it('institution and system roles apply only without a known context role', () => {
    assert.equal(launchRole13([`${LIS}institution/person#Faculty`]), 'teacher');
    assert.equal(launchRole13([`${LIS}institution/person#Student`]), 'student');
    assert.equal(launchRole13([`${LIS}system/person#Administrator`]), 'teacher');
    assert.equal(launchRole13([`${LIS}membership#Mentor`]), 'reader');
    assert.equal(launchRole13([]), 'reader');
  });

  it('short context role names (allowed in LTI 1.3) mean what they do in 1.1; junk is ignored', () => {
    assert.equal(launchRole13(['Instructor']), 'teacher');
    assert.equal(launchRole13(['Learner']), 'student');
    assert.equal(launchRole13(['Learner,Instructor', 'http://example.com/role#Instructor']), 'reader');
  });
});
