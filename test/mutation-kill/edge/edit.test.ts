/**
 * R11's header edits on a plain record (src/core/edit.ts), the loop the fetch resolver and the
 * node:http edge share: which keys come out, with which values, in which order — and the
 * name-length filter that decides which keys need a registry lookup at all.
 */
import { describe, expect, it } from 'vitest';
import { editedLengths, editHeaderRecord, hasLength } from '../../../src/core/edit.js';
import { findHeader } from '../../../src/core/registry.js';
import type { Edits } from '../../../src/core/resolve.js';

/** An Edits array: `null` deletes the header, a string replaces its value. */
function edits(entries: Record<string, string | null>): Edits {
  const list: Edits = [];
  for (const [name, edit] of Object.entries(entries)) list[findHeader(name)!.id] = edit;
  return list;
}

describe('editHeaderRecord() › without edits', () => {
  it('copies registry headers unchanged and only sets the Host', () => {
    const old = {
      host: 'lb.internal',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-host': 'shop.example',
      accept: 'text/html',
    };
    const next = editHeaderRecord(old, undefined, 'shop.example', undefined);
    expect(next).toEqual({ ...old, host: 'shop.example' });
    expect(Object.keys(next)).toEqual(Object.keys(old));
  });

  it('leaves a record without a Host without one when no Host is given', () => {
    const next = editHeaderRecord(
      { 'x-real-ip': '198.51.100.2', accept: '*/*' },
      undefined,
      undefined,
      undefined,
    );
    expect(next).toEqual({ 'x-real-ip': '198.51.100.2', accept: '*/*' });
    expect('host' in next).toBe(false);
    expect(Object.keys(next)).toEqual(['x-real-ip', 'accept']);
  });

  it('adds the Host last when the record had none', () => {
    const next = editHeaderRecord({ accept: '*/*' }, undefined, 'shop.example', undefined);
    expect(Object.entries(next)).toEqual([
      ['accept', '*/*'],
      ['host', 'shop.example'],
    ]);
  });
});

describe('editHeaderRecord() › with edits', () => {
  // x-forwarded-for and x-forwarded-ssl are both 15 characters long, as is x-custom-tag-15.
  const old = {
    host: 'lb.internal',
    'x-forwarded-for': '203.0.113.7, 10.0.0.2',
    'x-forwarded-ssl': 'on',
    'x-custom-tag-15': 'kept',
    'x-forwarded-host': 'shop.example',
    'x-real-ip': '10.0.0.2',
  };

  it('deletes and replaces edited headers and keeps unedited ones of the same length', () => {
    const next = editHeaderRecord(
      old,
      edits({ 'x-forwarded-for': null, 'x-forwarded-host': 'shop.example:443' }),
      'shop.example',
      undefined,
    );
    expect(Object.entries(next)).toEqual([
      ['host', 'shop.example'],
      ['x-forwarded-ssl', 'on'],
      ['x-custom-tag-15', 'kept'],
      ['x-forwarded-host', 'shop.example:443'],
      ['x-real-ip', '10.0.0.2'],
    ]);
  });

  it('drops the proof header and follows the given keys without inventing one', () => {
    const record = { ...old, 'x-origin-auth': 'secret-secret-secret' };
    const keys = Object.keys(record);
    const next = editHeaderRecord(record, edits({ 'x-real-ip': null }), undefined, 'x-origin-auth', keys);
    expect(Object.keys(next)).toEqual([
      'host',
      'x-forwarded-for',
      'x-forwarded-ssl',
      'x-custom-tag-15',
      'x-forwarded-host',
    ]);
    expect(next.host).toBe('lb.internal');
    expect(next['x-forwarded-for']).toBe('203.0.113.7, 10.0.0.2');
  });

  it('copies array values of unedited headers as they are', () => {
    const cookies = ['a=1', 'b=2'];
    const next = editHeaderRecord(
      { 'set-cookie': cookies, 'x-forwarded-for': '1.2.3.4' },
      edits({ 'x-forwarded-for': null }),
      undefined,
      undefined,
    );
    expect(next).toEqual({ 'set-cookie': ['a=1', 'b=2'] });
  });
});

describe('editedLengths() and hasLength() › which names can have an edit', () => {
  // x-forwarded-host comes after x-forwarded-for, forwarded and x-real-ip in the registry, so
  // the list has empty slots for them.
  const lengths = editedLengths(edits({ 'x-forwarded-host': 'shop.example' }));

  it('answers yes for every name as long as an edited one', () => {
    expect(hasLength(lengths, 'x-forwarded-host')).toBe(true);
    expect(hasLength(lengths, 'x-forwarded-port')).toBe(true);
    expect(hasLength(lengths, 'x-anything-16ch')).toBe(false); // 15 characters
    expect(hasLength(lengths, 'x-anything-16chr')).toBe(true);
  });

  it('answers no for the lengths of headers without an edit', () => {
    expect(hasLength(lengths, 'x-real-ip')).toBe(false);
    expect(hasLength(lengths, 'x-forwarded-for')).toBe(false);
    expect(hasLength(lengths, 'forwarded')).toBe(false);
    expect(hasLength(editedLengths(undefined), 'x-forwarded-host')).toBe(false);
    expect(hasLength(editedLengths([]), 'x-forwarded-host')).toBe(false);
  });

  it('answers no for names of 32 characters or more, whatever the bits say', () => {
    // 48 = 16 + 32: a shift by 48 is a shift by 16 in JavaScript.
    expect(hasLength(lengths, 'x'.repeat(48))).toBe(false);
    expect(hasLength(0xffffffff, 'x'.repeat(32))).toBe(false);
    expect(hasLength(0xffffffff, 'x'.repeat(40))).toBe(false);
    expect(hasLength(0xffffffff, 'x'.repeat(31))).toBe(true);
  });
});
