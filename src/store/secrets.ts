export const secretsSchema = '';
