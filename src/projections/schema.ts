export const readModelSchema = '';
